"""Camunda Forms (the form-js JSON schema that Camunda Modeler draws): read, and checked for what we render.

A Camunda 8 user task links its form with ``zeebe:formDefinition``: ``formId`` names the ``id`` of a
``.form`` file deployed with the process, ``formKey="camunda-forms:bpmn:X"`` names a form embedded in
the diagram as ``zeebe:userTaskForm id="X"``. The task page renders the components server-side and
``engine.bpmn.camunda_form_values`` validates and types what comes back, so this module only knows the
schema: which component is an input, where its value lives (``key`` and group/list ``path`` nesting),
and which components we cannot show or collect (named by :func:`form_problems`, located on the task).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

# Components that collect a value under their ``key``.
INPUTS = frozenset(
    {"textfield", "textarea", "number", "checkbox", "checklist", "radio", "select", "taglist", "datetime"}
)
# Components that nest others: a group (optionally under its ``path``), a dynamic list (a list at ``path``).
CONTAINERS = frozenset({"group", "dynamiclist"})
# Shown and never submitted; ``button`` is form-js's submit/reset button (the page has its own).
DISPLAY = frozenset({"text", "spacer", "separator", "image", "button"})
# A value computed from FEEL when the form is submitted.
COMPUTED = frozenset({"expression"})
# Display-only components the page leaves out (a warning: the person sees less than designed).
NOT_SHOWN = frozenset({"html", "iframe", "table", "documentPreview"})
SUPPORTED = INPUTS | CONTAINERS | DISPLAY | COMPUTED
DATETIME_SUBTYPES = ("date", "time", "datetime")


class FormUnreadable(ValueError):
    """The document is not a Camunda Forms JSON object."""


@dataclass(frozen=True)
class Component:
    """One component of a form, with the data path of its value relative to its enclosing list item or the form."""

    type: str
    id: str
    props: Mapping[str, Any]
    path: tuple[str, ...] = ()
    children: tuple[Component, ...] = ()

    @property
    def key(self) -> str:
        return str(self.props.get("key") or "")

    @property
    def label(self) -> str:
        return str(self.props.get("label") or "")

    @property
    def validate(self) -> Mapping[str, Any]:
        rules = self.props.get("validate")
        return rules if isinstance(rules, Mapping) else {}

    @property
    def required(self) -> bool:
        return self.validate.get("required") is True

    @property
    def hide_expression(self) -> str | None:
        conditional = self.props.get("conditional")
        hide = conditional.get("hide") if isinstance(conditional, Mapping) else None
        return hide if isinstance(hide, str) and hide.strip() else None

    @property
    def readonly(self) -> bool:
        """Read-only or disabled as a literal ``true`` (a FEEL condition is evaluated by the caller)."""
        return self.props.get("readonly") is True or self.props.get("disabled") is True

    @property
    def subtype(self) -> str:
        value = str(self.props.get("subtype") or "date")
        return value if value in DATETIME_SUBTYPES else "date"

    @property
    def name(self) -> str:
        """A stable name for messages: the key, else the id, else the type."""
        return self.key or self.id or self.type


@dataclass(frozen=True)
class CamundaForm:
    """A parsed form: its id (what ``formId`` links to) and its component tree."""

    id: str
    components: tuple[Component, ...]
    raw: Mapping[str, Any] = field(default_factory=dict)


def _split(path: object) -> tuple[str, ...]:
    return tuple(part for part in str(path or "").split(".") if part)


def _component(data: Mapping[str, Any]) -> Component:
    kind = str(data.get("type") or "")
    nested = data.get("components")
    children = tuple(_component(c) for c in nested if isinstance(c, Mapping)) if isinstance(nested, list) else ()
    if kind in INPUTS or kind in COMPUTED:
        path = _split(data.get("key"))
    elif kind in CONTAINERS:
        path = _split(data.get("path"))
    else:
        path = ()
    return Component(kind, str(data.get("id") or ""), data, path, children)


def parse_form(document: str | Mapping[str, Any]) -> CamundaForm:
    """The form of a ``.form`` file's text (or its decoded JSON); FormUnreadable when it is none."""
    if isinstance(document, str):
        try:
            data = json.loads(document)
        except ValueError as error:
            raise FormUnreadable(f"not JSON: {error}") from None
    else:
        data = document
    if not isinstance(data, Mapping) or not isinstance(data.get("components", []), list):
        raise FormUnreadable("not a Camunda form (a JSON object with a list of components)")
    components = tuple(_component(c) for c in data.get("components", []) if isinstance(c, Mapping))
    return CamundaForm(str(data.get("id") or ""), components, data)


def form_id_of(document: str) -> str | None:
    """The ``id`` of a ``.form`` file's JSON (what ``formId`` links to), or None when it is unreadable."""
    try:
        return parse_form(document).id or None
    except FormUnreadable:
        return None


def walk(components: tuple[Component, ...]) -> Iterator[Component]:
    """Every component, depth first (containers before their children)."""
    for component in components:
        yield component
        yield from walk(component.children)


@dataclass(frozen=True)
class FormProblem:
    """Something in a form the task page cannot do as drawn: ``error`` loses data, ``warning`` shows less."""

    severity: str
    code: str
    component: str
    type: str


def form_problems(form: CamundaForm) -> list[FormProblem]:
    """Components and rules we do not render or run, each named (key or id) with its type."""
    problems = []
    for component in walk(form.components):
        kind = component.type
        if kind in NOT_SHOWN:
            problems.append(FormProblem("warning", "form-component-not-shown", component.name, kind))
        elif kind not in SUPPORTED:
            # An input we do not know would be completed without its value: not faithful, so an error.
            problems.append(FormProblem("error", "form-component-unsupported", component.name, kind))
        elif kind in INPUTS | COMPUTED | {"dynamiclist"} and not component.path:
            problems.append(FormProblem("error", "form-component-no-key", component.name, kind))
        elif kind == "datetime" and str(component.props.get("subtype") or "date") not in DATETIME_SUBTYPES:
            problems.append(FormProblem("error", "form-component-unsupported", component.name, kind))
        elif str(component.validate.get("validationType") or "") not in ("", "email", "phone", "custom"):
            problems.append(FormProblem("error", "form-validation-unsupported", component.name, kind))
    return problems


def forms_by_id(documents: Iterable[str]) -> dict[str, str]:
    """Form id -> JSON text of the readable forms among ``documents`` (a later one of an id wins)."""
    forms = {}
    for document in documents:
        form_id = form_id_of(document)
        if form_id:
            forms[form_id] = document
    return forms
