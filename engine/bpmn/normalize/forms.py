"""Task forms in the normaliser: Camunda 8 forms checked where they are linked, and path choices.

The engine renders ``camunda:formData`` (read into form fields by ``engine.runtime.forms``) and Camunda
Forms (form-js JSON, linked by ``zeebe:formDefinition``), the latter as drawn: the link stays in the
diagram and this pass only names what the task page could not show or collect. A descriptive diagram
deployed as executable lets the person completing the task before an undecided gateway choose the path,
through an enum field added here.
"""

from __future__ import annotations

from lxml import etree

from engine.bpmn.bpmn_xml import bpmn, camunda
from engine.bpmn.camunda_forms import CamundaForm, FormUnreadable, form_problems, parse_form, walk
from engine.bpmn.diagnostics import local_name
from engine.bpmn.feel_runtime import check_feel, is_feel
from engine.bpmn.normalize.context import Context
from engine.domain.messages import msg


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


def _feel_problems(form: CamundaForm) -> list[tuple[str, str]]:
    """(component, FEEL text) of every FEEL property of the form that does not parse."""
    found = []
    for component in walk(form.components):
        props = component.props
        conditional = props.get("conditional")
        texts = [
            conditional.get("hide") if isinstance(conditional, dict) else None,
            props.get("valuesExpression"),
            props.get("expression") if component.type == "expression" else None,
            props.get("readonly"),
            props.get("disabled"),
            props.get("label"),
        ]
        for text in texts:
            if isinstance(text, str) and is_feel(text) and check_feel(text) is not None:
                found.append((component.name, text))
    return found


def _document(ctx: Context, definition: etree._Element, embedded: dict[str, str]) -> tuple[str, str | None]:
    """(what the task links to, the form's JSON text or None when it is not at hand)."""
    form_key = (definition.get("formKey") or "").strip()
    form_id = (definition.get("formId") or "").strip()
    if form_key:
        prefix = "camunda-forms:bpmn:"
        return form_key, embedded.get(form_key[len(prefix) :]) if form_key.startswith(prefix) else None
    return form_id, ctx.forms.get(form_id) if form_id else None


def camunda_form(ctx: Context, task: etree._Element, definition: etree._Element, embedded: dict[str, str]) -> None:
    """Check the Camunda Form a user task links (``zeebe:formDefinition``): found, readable, and renderable.

    The element stays in the diagram: the task page finds the form through it and renders it
    (``engine.bpmn.camunda_forms``). What the page cannot show or collect is named here, on the task.
    """
    if definition.get("externalReference"):
        ctx.warn(
            task,
            "form-external",
            msg("diag.form-external", reference=definition.get("externalReference", "")),
            msg("hint.form-external"),
        )
        return
    if definition.get("bindingType") == "versionTag":
        # No form versions are tagged here: the task shows the form deployed with the diagram (else the newest).
        tag = definition.get("versionTag", "")
        ctx.warn(task, "form-version-tag", msg("diag.form-version-tag", tag=tag), msg("hint.form-version-tag"))
    key, document = _document(ctx, definition, embedded)
    if document is None:
        ctx.warn(task, "form-not-rendered", msg("diag.form-not-rendered.2", key=key), msg("hint.form-not-linked"))
        return
    try:
        form = parse_form(document)
    except FormUnreadable:
        ctx.warn(task, "form-unreadable", msg("diag.form-unreadable"))
        return
    for problem in form_problems(form):
        ctx.note(
            task,
            problem.severity,
            problem.code,
            msg(f"diag.{problem.code}", component=problem.component, type=problem.type, form=form.id or key),
            msg(f"hint.{problem.code}"),
        )
    for component, text in _feel_problems(form):
        ctx.error(task, "form-feel", msg("diag.form-feel", component=component, text=text), msg("hint.form-feel"))
    ctx.note(task, "info", "camunda-form", msg("diag.camunda-form", form=form.id or key))
