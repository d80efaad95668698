"""Turn a Camunda ``formData`` model (as parsed by SpiffWorkflow) into the engine's form fields."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from engine.domain.forms import FormField


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None


def _integer(value: Any) -> int | None:
    number = _decimal(value)
    return int(number) if number is not None else None


def form_fields(task_spec: Any) -> list[FormField]:
    """Fields of a user task's ``camunda:formData``; an empty list for tasks without a form."""
    form = getattr(task_spec, "form", None)
    if form is None:
        return []
    fields = []
    for field in form.fields:
        constraints = {item.name: item.config for item in getattr(field, "validation", [])}
        options = tuple((option.id, option.name or option.id) for option in getattr(field, "options", []))
        fields.append(
            FormField(
                id=field.id,
                type=(field.type or "string").lower(),
                label=field.label or field.id,
                required="required" in constraints,
                readonly="readonly" in constraints,
                default=field.default_value,
                options=options,
                minimum=_decimal(constraints.get("min")),
                maximum=_decimal(constraints.get("max")),
                min_length=_integer(constraints.get("minlength")),
                max_length=_integer(constraints.get("maxlength")),
            )
        )
    return fields
