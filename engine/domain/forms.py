"""Task forms: field definitions (from the diagram's ``camunda:formData``) and server-side validation.

The same definitions drive the web UI's form rendering and the engine's check before a task completes,
so a value the UI would reject is also rejected from the CLI or the API. ``FIELD_TYPES`` is the one
registry of field types: validation, the task page's widgets and the normaliser's translation of Camunda 8
forms all read it, so a new type is one entry there (plus a template branch if it needs a new widget).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from engine.domain.messages import message_of, msg

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TRUE = {"true", "1", "yes", "on", "ja"}
_FALSE = {"false", "0", "no", "off", "nein", ""}


@dataclass(frozen=True)
class FormField:
    """One input of a task form."""

    id: str
    type: str = "string"
    label: str = ""
    required: bool = False
    readonly: bool = False
    default: str | None = None
    options: tuple[tuple[str, str], ...] = ()  # (value, label) for enums
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    min_length: int | None = None
    max_length: int | None = None

    @property
    def kind(self) -> FieldType:
        """The registered type of this field (free text for a type nobody registered)."""
        return field_type(self.type)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, as stored on the human task row."""
        data = asdict(self)
        data["options"] = [list(option) for option in self.options]
        for key in ("minimum", "maximum"):
            data[key] = None if data[key] is None else str(data[key])
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FormField:
        """Inverse of :meth:`to_dict`."""
        values = dict(data)
        values["options"] = tuple(tuple(option) for option in values.get("options") or ())
        for key in ("minimum", "maximum"):
            if values.get(key) is not None:
                values[key] = Decimal(values[key])
        return cls(**values)


@dataclass
class FormResult:
    """Cleaned values (typed) and per-field error messages."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def typed_number(raw: Any) -> Decimal:
    """A number as a person types it (a decimal comma too); ValueError ``field.number`` for anything else."""
    if isinstance(raw, bool):
        raise ValueError(msg("field.number"))
    try:
        number = Decimal(str(raw).strip().replace(",", "."))
    except InvalidOperation:
        raise ValueError(msg("field.number")) from None
    if not number.is_finite():
        raise ValueError(msg("field.number"))
    return number


def _coerce_number(form_field: FormField, raw: Any, *, whole: bool) -> int | float:
    number = typed_number(raw)
    if whole:
        if number != number.to_integral_value():
            raise ValueError(msg("field.whole_number"))
        result: int | float = int(number)
    else:
        result = float(number)
    if form_field.minimum is not None and number < form_field.minimum:
        raise ValueError(msg("field.at_least", value=form_field.minimum))
    if form_field.maximum is not None and number > form_field.maximum:
        raise ValueError(msg("field.at_most", value=form_field.maximum))
    return result


def _coerce_whole(form_field: FormField, raw: Any) -> int | float:
    return _coerce_number(form_field, raw, whole=True)


def _coerce_decimal(form_field: FormField, raw: Any) -> int | float:
    return _coerce_number(form_field, raw, whole=False)


def _coerce_boolean(_form_field: FormField, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(msg("field.yes_no"))


def _coerce_date(_form_field: FormField, raw: Any) -> str:
    # Dates are kept as ISO strings in task data: JSON-safe and comparable in gateway conditions.
    if isinstance(raw, date):
        return raw.isoformat()
    try:
        return date.fromisoformat(str(raw).strip()).isoformat()
    except ValueError:
        raise ValueError(msg("field.date")) from None


def _coerce_string(form_field: FormField, raw: Any) -> str:
    if not isinstance(raw, str | int | float) or isinstance(raw, bool):
        raise ValueError(msg("field.text"))
    text = str(raw).strip()
    if form_field.min_length is not None and len(text) < form_field.min_length:
        raise ValueError(msg("field.too_short", num=form_field.min_length))
    if form_field.max_length is not None and len(text) > form_field.max_length:
        raise ValueError(msg("field.too_long", num=form_field.max_length))
    return text


def _coerce_email(form_field: FormField, raw: Any) -> str:
    text = _coerce_string(form_field, raw)
    if not _EMAIL.match(text):
        raise ValueError(msg("field.email"))
    return text


def _coerce_enum(form_field: FormField, raw: Any) -> str:
    allowed = [value for value, _label in form_field.options]
    if str(raw) not in allowed:
        raise ValueError(msg("field.one_of", values=", ".join(allowed)))
    return str(raw)


# How the task page shows a field; an INPUT widget takes the HTML input type of its field type.
CHECKBOX, SELECT, TEXTAREA, INPUT = "checkbox", "select", "textarea", "input"


@dataclass(frozen=True)
class FieldType:
    """A form field type: how a submitted value is checked and typed, and how the task page shows it."""

    name: str
    # Converts one submitted value; raises ValueError with a user-facing message.
    coerce: Callable[[FormField, Any], Any]
    widget: str = INPUT
    input_type: str = "text"
    # Decimals: the browser must not round to whole steps.
    step_any: bool = False
    # A blank value means "not given", except for a checkbox, where it means "no".
    blank_is_missing: bool = True
    # Camunda 8 form components (Camunda Forms JSON) the normaliser translates into this type.
    camunda_form_components: tuple[str, ...] = ()
    # The Camunda 7 variable type /engine-rest reports for an empty field of this type (None: untyped null).
    camunda_type: str | None = None


# The types a designer can pick in Camunda Modeler ("string", "long", "boolean", "date", "enum") plus the
# custom types our process library uses; a type not listed here is treated as free text ("string").
FIELD_TYPES: dict[str, FieldType] = {
    kind.name: kind
    for kind in (
        FieldType("string", _coerce_string, camunda_form_components=("textfield", "textarea")),
        FieldType("text", _coerce_string, widget=TEXTAREA),
        FieldType("textarea", _coerce_string, widget=TEXTAREA),
        FieldType("email", _coerce_email, input_type="email"),
        FieldType("long", _coerce_whole, input_type="number", camunda_form_components=("number",), camunda_type="Long"),
        FieldType("integer", _coerce_whole, input_type="number", camunda_type="Integer"),
        FieldType("decimal", _coerce_decimal, input_type="number", step_any=True),
        FieldType("double", _coerce_decimal, input_type="number", step_any=True),
        FieldType("number", _coerce_decimal, input_type="number", step_any=True),
        FieldType(
            "boolean",
            _coerce_boolean,
            widget=CHECKBOX,
            blank_is_missing=False,
            camunda_form_components=("checkbox",),
            camunda_type="Boolean",
        ),
        FieldType("date", _coerce_date, input_type="date", camunda_form_components=("datetime",), camunda_type="Date"),
        FieldType(
            "enum", _coerce_enum, widget=SELECT, camunda_form_components=("select", "radio"), camunda_type="String"
        ),
    )
}


def field_type(name: str) -> FieldType:
    """The registered type of that name; an unknown type is free text."""
    return FIELD_TYPES.get(name, FIELD_TYPES["string"])


def camunda_form_component_types() -> dict[str, str]:
    """Camunda 8 form component -> the field type it becomes (for the normaliser)."""
    return {component: kind.name for kind in FIELD_TYPES.values() for component in kind.camunda_form_components}


def coerce_value(form_field: FormField, raw: Any) -> Any:
    """Convert one submitted value to the field's type; raises ValueError with a user-facing message."""
    return form_field.kind.coerce(form_field, raw)


def validate_form(fields: list[FormField], submitted: dict[str, Any]) -> FormResult:
    """Check submitted data against the form; unknown keys are errors so typos never pass silently."""
    result = FormResult()
    known = {form_field.id for form_field in fields}
    for key in submitted:
        if key not in known:
            result.errors[key] = msg("field.unknown")
    for form_field in fields:
        if form_field.readonly:
            if form_field.id in submitted:
                result.errors[form_field.id] = msg("field.read_only")
            continue
        raw = submitted.get(form_field.id)
        if _is_blank(raw) and form_field.kind.blank_is_missing:
            if form_field.required:
                result.errors[form_field.id] = msg("field.required")
            continue
        if raw is None:
            if form_field.required:
                result.errors[form_field.id] = msg("field.required")
            continue
        try:
            result.values[form_field.id] = coerce_value(form_field, raw)
        except ValueError as error:
            result.errors[form_field.id] = message_of(error) or str(error)
    return result
