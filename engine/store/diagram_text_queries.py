"""The diagram texts (task names, form labels) of a deployed process version, in every language it translates.

The translations live in the deployed BPMN (``engine.bpmn.diagram_texts``); a version's files never change, so
they are read once per version and kept. The web UI and the mails both read task names from here.
"""

from __future__ import annotations

import threading

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.bpmn.diagram_texts import read_translations
from engine.store.models import DefinitionResource, HumanTask, ProcessDefinition

# Keyed by the version's checksum too: an id alone names different versions in different databases (one
# process serving several test databases, or a database restored from another), and would serve stale texts.
_CACHE: dict[tuple[int, str], dict[str, dict[str, str]]] = {}
_LOCK = threading.Lock()


def translations_for(session: Session, definition_id: int) -> dict[str, dict[str, str]]:
    """Language -> key -> text of one deployed version."""
    definition = session.get(ProcessDefinition, definition_id)
    cache_key = (definition_id, definition.checksum if definition is not None else "")
    with _LOCK:
        cached = _CACHE.get(cache_key)
    if cached is not None:
        return cached
    texts: dict[str, dict[str, str]] = {}
    query = select(DefinitionResource.content).where(
        DefinitionResource.definition_id == definition_id, DefinitionResource.kind == "bpmn"
    )
    for content in session.scalars(query):
        for language, entries in read_translations(content).items():
            texts.setdefault(language, {}).update(entries)
    with _LOCK:
        _CACHE[cache_key] = texts
    return texts


def task_title_in(session: Session, task_id: str, language: str) -> str | None:
    """The name of a task in ``language`` as its process version translates it (its own name otherwise)."""
    task = session.get(HumanTask, task_id)
    if task is None:
        return None
    return translations_for(session, task.instance.definition_id).get(language, {}).get(task.element_id, task.title)
