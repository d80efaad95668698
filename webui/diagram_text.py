"""Diagram texts (task names, documentation, form labels, choices) in the user's language.

The translations live in the deployed BPMN (``engine.bpmn.diagram_texts``), so each process version shows the
texts it was deployed with. A version's files never change, so its translations are read once per process.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.bpmn.diagram_texts import read_translations
from engine.domain.forms import FormField
from engine.store.case_queries import TimelineEntry
from engine.store.diagram_text_queries import (
    definition_id_of,
    instance_definition_id,
    translations_for,
    translations_of,
)
from engine.store.models import TASK_OPEN, HumanTask, ProcessInstance
from webui.db import db


def _language() -> str:
    return str(get_locale() or "en").split("_")[0]


def texts_for_task(session: Session, task: HumanTask) -> dict[str, str]:
    """The translations of the task's process version into the user's language (empty when there are none)."""
    definition_id = definition_id_of(session, task)
    return {} if definition_id is None else translations_for(session, definition_id).get(_language(), {})


def task_title(texts: dict[str, str], task: HumanTask) -> str:
    """The task's name in the user's language."""
    return texts.get(task.element_id, task.title)


def task_documentation(texts: dict[str, str], task: HumanTask) -> str | None:
    """The task's documentation template in the user's language (placeholders still to fill)."""
    return texts.get(f"{task.element_id}:documentation", task.documentation) if task.documentation else None


def translated_fields(texts: dict[str, str], task: HumanTask, fields: Iterable[FormField]) -> list[FormField]:
    """The form fields with labels and choices in the user's language."""
    element = task.element_id
    return [
        dataclasses.replace(
            field,
            label=texts.get(f"{element}:{field.id}", field.label),
            options=tuple((value, texts.get(f"{element}:{field.id}:{value}", label)) for value, label in field.options),
        )
        for field in fields
    ]


def titles_for(session: Session, tasks: Iterable[HumanTask]) -> dict[str, str]:
    """Task id -> name in the user's language, for a list of tasks (one query for their versions)."""
    tasks = list(tasks)
    instance_ids = {task.instance_id for task in tasks}
    if not instance_ids:
        return {}
    versions = dict(
        session.execute(
            select(ProcessInstance.id, ProcessInstance.definition_id).where(ProcessInstance.id.in_(instance_ids))
        ).all()
    )
    language = _language()
    texts = translations_of(session, versions.values())
    return {
        task.id: texts[versions[task.instance_id]].get(language, {}).get(task.element_id, task.title)
        for task in tasks
        if task.instance_id in versions
    }


def task_name(task: HumanTask) -> str:
    """Jinja filter ``task_name``: a task row's name in the user's language (pages that list a few tasks)."""
    return task_title(texts_for_task(db(), task), task)


def element_names(session: Session, definition_id: int) -> dict[str, str]:
    """Element id -> name in the user's language (task, event, gateway, lane, flow), for drawing the diagram."""
    texts = translations_for(session, definition_id).get(_language(), {})
    return {key: text for key, text in texts.items() if ":" not in key}


def file_names(xml: str) -> dict[str, str]:
    """Element id -> name in the user's language, from one BPMN file's own translations."""
    texts = read_translations(xml).get(_language(), {})
    return {key: text for key, text in texts.items() if ":" not in key}


def state_labels() -> dict[str, str]:
    """The states an instance's diagram shows, for its tooltips."""
    return {"completed": _("completed"), "active": _("active"), "waiting": _("waiting"), "incident": _("incident")}


def diagram_texts_of_instance(session: Session, instance_id: int) -> dict[str, dict[str, str]]:
    """Keyword arguments for ``instance_svg``: the instance's diagram in the user's language."""
    definition_id = instance_definition_id(session, instance_id)
    names = element_names(session, definition_id) if definition_id is not None else {}
    return {"names": names, "state_labels": state_labels()}


def translated_timeline(session: Session, instance_id: int | None, entries: list[TimelineEntry]) -> list[TimelineEntry]:
    """The case timeline with task names in the user's language (entries name the diagram element they are about)."""
    definition_id = instance_definition_id(session, instance_id) if instance_id is not None else None
    names = element_names(session, definition_id) if definition_id is not None else {}
    if not names:
        return entries
    result = []
    for entry in entries:
        element = entry.detail.get("element") if entry.detail else None
        if element in names:
            original = entry.detail.get("task")
            text = names[element] if entry.kind == "task_created" and entry.text else entry.text
            entry = dataclasses.replace(
                entry, text=text, detail={**entry.detail, "task": names[element] if original else original}
            )
        result.append(entry)
    return result


def translated_activities(session: Session, activities: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(element id, task name) choices with the names in the user's language, sorted by name."""
    versions = session.execute(
        select(HumanTask.element_id, ProcessInstance.definition_id)
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .where(HumanTask.status == TASK_OPEN)
        .distinct()
    ).all()
    language = _language()
    texts = translations_of(session, {definition_id for _element, definition_id in versions})
    names: dict[str, str] = {}
    for element, definition_id in versions:
        text = texts[definition_id].get(language, {}).get(element)
        if text:
            names.setdefault(element, text)
    translated = [(element, names.get(element, title)) for element, title in activities]
    return sorted(translated, key=lambda pair: (pair[1].lower(), pair[0]))
