"""Task forms written by the normaliser: Camunda 8 forms as ``camunda:formData``, and path choices.

The engine renders ``camunda:formData`` (read into form fields by ``engine.runtime.forms``). Camunda 8
links a user task to a Camunda Forms JSON document; its simple components (text, number, checkbox,
select, date) map one to one onto formData fields. A descriptive diagram deployed as executable lets the
person completing the task before an undecided gateway choose the path, through an enum field added here.
"""

from __future__ import annotations

import json
from typing import Any

from lxml import etree

from engine.bpmn.bpmn_xml import bpmn, camunda
from engine.bpmn.diagnostics import local_name
from engine.bpmn.normalize.context import Context
from engine.domain.forms import camunda_form_component_types
from engine.domain.messages import msg

_COMPONENT_TYPES = camunda_form_component_types()
_LAYOUT_COMPONENTS = {"text", "spacer", "separator", "button", "image", "html", "group", "iframe", "table"}


def _form_data(task: etree._Element) -> etree._Element:
    existing = task.find(f".//{camunda('formData')}")
    if existing is not None:
        return existing
    extension = task.find(bpmn("extensionElements"))
    if extension is None:
        extension = etree.Element(bpmn("extensionElements"))
        task.insert(sum(1 for child in task if local_name(child) == "documentation"), extension)
    return etree.SubElement(extension, camunda("formData"))


def _add_field(
    form: etree._Element,
    field_id: str,
    label: str,
    field_type: str,
    options: list[tuple[str, str]] = (),  # type: ignore[assignment]
    required: bool = False,
) -> bool:
    if any(existing.get("id") == field_id for existing in form.iterchildren(camunda("formField"))):
        return False
    field = etree.SubElement(form, camunda("formField"), id=field_id, label=label, type=field_type)
    if required:
        validation = etree.SubElement(field, camunda("validation"))
        etree.SubElement(validation, camunda("constraint"), name="required")
    for value, option_label in options:
        etree.SubElement(field, camunda("value"), id=value, name=option_label)
    return True


def add_choice_field(task: etree._Element, variable: str, label: str, options: list[tuple[str, str]]) -> None:
    """A required enum field on ``task`` whose value picks the path after the next gateway."""
    _add_field(_form_data(task), variable, label, "enum", options, required=True)


def form_data_from_camunda_form(ctx: Context, task: etree._Element, document: str) -> None:
    """Translate a Camunda Forms JSON document into formData fields on ``task``."""
    try:
        components: Any = json.loads(document).get("components", [])
    except (ValueError, AttributeError):
        ctx.warn(task, "form-unreadable", msg("diag.form-unreadable"))
        return
    form = _form_data(task)
    skipped = []
    for component in components if isinstance(components, list) else []:
        if not isinstance(component, dict):
            continue
        kind, key = str(component.get("type", "")), component.get("key")
        if kind in _LAYOUT_COMPONENTS:
            continue
        field_type = _COMPONENT_TYPES.get(kind)
        if field_type is None or not key:
            skipped.append(str(key or kind))
            continue
        values = component.get("values") or []
        options = [(str(v.get("value")), str(v.get("label") or v.get("value"))) for v in values if isinstance(v, dict)]
        required = bool((component.get("validate") or {}).get("required"))
        _add_field(form, str(key), str(component.get("label") or key), field_type, options, required)
    ctx.changed = True
    ctx.note(task, "info", "form-translated", msg("diag.form-translated"))
    if skipped:
        ctx.warn(
            task,
            "form-fields-skipped",
            msg("diag.form-fields-skipped", names=", ".join(skipped)),
            msg("hint.form-fields-skipped"),
        )
