"""The diagram texts (task names, form labels) of a deployed process version, in every language it translates.

The translations live in the deployed BPMN (``engine.bpmn.diagram_texts``); a version's files never change, so
they are read once per version and kept. The web UI and the mails both read task names from here.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.bpmn.diagram_texts import read_translations
from engine.store.models import DefinitionResource, HumanTask, ProcessDefinition, ProcessInstance
from engine.store.transaction_memo import memo

Texts = dict[str, dict[str, str]]

# Keyed by the version's checksum too: an id alone names different versions in different databases (one
# process serving several test databases, or a database restored from another), and would serve stale texts.
_CACHE: dict[tuple[int, str], Texts] = {}
_LOCK = threading.Lock()
# Within one transaction a version id means one version, so its texts are also kept for the transaction: a task
# list asks for the texts of every row, and checking the checksum each time cost a statement per row.


def translations_of(session: Session, definition_ids: Iterable[int]) -> dict[int, Texts]:
    """Language -> key -> text of several deployed versions; one statement for the checksums of those not
    looked at yet in this transaction, and the files only of versions never read by this process."""
    known: dict[int, Texts] = memo(session, "diagram_texts")
    wanted = set(definition_ids)
    missing = wanted - known.keys()
    if missing:
        checksums = dict(
            session.execute(
                select(ProcessDefinition.id, ProcessDefinition.checksum).where(ProcessDefinition.id.in_(missing))
            ).all()
        )
        known = memo(session, "diagram_texts")  # the select may have begun the transaction the memo belongs to
        for definition_id in missing:
            known[definition_id] = _texts(session, definition_id, checksums.get(definition_id, ""))
    return {definition_id: known[definition_id] for definition_id in wanted}


def translations_for(session: Session, definition_id: int) -> Texts:
    """Language -> key -> text of one deployed version."""
    return translations_of(session, (definition_id,))[definition_id]


def _texts(session: Session, definition_id: int, checksum: str) -> Texts:
    cache_key = (definition_id, checksum)
    with _LOCK:
        cached = _CACHE.get(cache_key)
    if cached is not None:
        return cached
    texts: Texts = {}
    query = select(DefinitionResource.content).where(
        DefinitionResource.definition_id == definition_id, DefinitionResource.kind == "bpmn"
    )
    for content in session.scalars(query):
        for language, entries in read_translations(content).items():
            texts.setdefault(language, {}).update(entries)
    with _LOCK:
        _CACHE[cache_key] = texts
    return texts


def definition_id_of(session: Session, task: HumanTask) -> int | None:
    """The process version of a task (see ``instance_definition_id``)."""
    instance = task.__dict__.get("instance")
    if isinstance(instance, ProcessInstance) and "definition_id" in instance.__dict__:
        return int(instance.__dict__["definition_id"])
    return instance_definition_id(session, task.instance_id)


def instance_definition_id(session: Session, instance_id: int) -> int | None:
    """The process version an instance runs on: from the session when it holds the row loaded, otherwise that one
    column (the row would bring the serialized workflow state, tens of kilobytes, for one number)."""
    held = session.identity_map.get(session.identity_key(ProcessInstance, instance_id))
    if isinstance(held, ProcessInstance) and "definition_id" in held.__dict__:
        return int(held.__dict__["definition_id"])
    versions: dict[int, int | None] = memo(session, "instance_versions")
    if instance_id in versions:
        return versions[instance_id]
    found = session.scalar(select(ProcessInstance.definition_id).where(ProcessInstance.id == instance_id))
    definition_id = None if found is None else int(found)
    memo(session, "instance_versions")[instance_id] = definition_id
    return definition_id


def task_title_in(session: Session, task_id: str, language: str) -> str | None:
    """The name of a task in ``language`` as its process version translates it (its own name otherwise)."""
    task = session.get(HumanTask, task_id)
    if task is None:
        return None
    definition_id = definition_id_of(session, task)
    if definition_id is None:
        return task.title
    return translations_for(session, definition_id).get(language, {}).get(task.element_id, task.title)
