"""Camunda's typed variables (``{"value": 300, "type": "Integer", "valueInfo": {}}``) and back.

Types are matched in any case (``"integer"`` as well as ``"Integer"``), a value sent without a type is
taken as it comes (a JSON number, text, boolean, object or null), and every variable sent back has a
type: Null, Boolean, Integer (Long beyond 32 bits), Double, String, Date or Json. Dates travel in
Camunda's format ``2026-11-23T09:00:00.000+0000`` and are kept as dates in the workflow.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from engine.services.external_tasks.sync import DATE_KEY
from webui.engine_rest.common import RestError

INT32 = 2**31


def camunda_date(moment: datetime | None) -> str | None:
    """Camunda's date format: milliseconds and a numeric offset without a colon."""
    if moment is None:
        return None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}" + moment.strftime("%z")


def parse_date(text: Any, name: str = "date") -> datetime:
    """A date in Camunda's format, or ISO 8601 (``Z`` and ``+01:00`` too); without an offset, UTC."""
    raw = str(text or "").strip()
    try:
        if isinstance(text, int | float) and not isinstance(text, bool):
            return datetime.fromtimestamp(text / 1000, UTC)  # milliseconds since the epoch, as Java sends them
        candidate = raw[:-1] + "+00:00" if raw.endswith("Z") else raw
        if len(candidate) > 5 and candidate[-5] in "+-" and candidate[-3] != ":":
            candidate = candidate[:-2] + ":" + candidate[-2:]
        moment = datetime.fromisoformat(candidate)
    except (ValueError, OverflowError, OSError):
        raise RestError(400, f"Cannot convert value '{raw}' of type 'Date' for {name}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def utc_bound(moment: datetime) -> datetime:
    """``moment`` in UTC, for filters; one beyond the calendar's ends (0001-01-01T00:00+01:00) is its end.

    The database compares in UTC, and such a date has no UTC equivalent: before the first moment there is,
    or after the last, it filters as that moment does.
    """
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        return (datetime.min if moment.year == 1 else datetime.max).replace(tzinfo=UTC)


def _convert(name: str, kind: str, value: Any, info: dict[str, Any]) -> Any:
    if value is None or kind == "null":
        return None
    try:
        if kind == "string":
            return str(value)
        if kind == "boolean":
            if isinstance(value, str):
                return {"true": True, "false": False}[value.strip().lower()]
            return bool(value)
        if kind in ("integer", "short", "long"):
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError(value)
            return int(value)
        if kind == "double":
            if isinstance(value, bool):
                raise ValueError(value)
            return float(value)
        if kind == "date":
            return parse_date(value, name)
        if kind == "json" or (kind == "object" and "json" in str(info.get("serializationDataFormat", "")).lower()):
            return json.loads(value) if isinstance(value, str) else value
    except (ValueError, KeyError, TypeError):
        raise RestError(
            400, f"Cannot convert value '{value}' of type '{kind.capitalize()}' for variable '{name}'"
        ) from None
    raise RestError(400, f"Unsupported value type '{kind}' of variable '{name}'")


def from_camunda(raw: Any, what: str = "variables") -> dict[str, Any]:
    """A ``variables`` object of a request as plain values for the workflow."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise RestError(400, f"{what} must be a JSON object of variables")
    result: dict[str, Any] = {}
    for name, entry in raw.items():
        if isinstance(entry, dict) and ("value" in entry or "type" in entry):
            kind = str(entry.get("type") or "").strip().lower()
            info = entry["valueInfo"] if isinstance(entry.get("valueInfo"), dict) else {}
            value = entry.get("value")
            result[name] = _convert(name, kind, value, info) if kind else value
        else:
            result[name] = entry  # not in Camunda's envelope: the value itself
    return result


def to_camunda_value(value: Any) -> dict[str, Any]:
    """One value in Camunda's envelope, with a type always."""
    if isinstance(value, dict) and set(value) == {DATE_KEY}:
        value = parse_date(value[DATE_KEY])
    if value is None:
        return {"type": "Null", "value": None, "valueInfo": {}}
    if isinstance(value, bool):
        return {"type": "Boolean", "value": value, "valueInfo": {}}
    if isinstance(value, int):
        return {"type": "Integer" if -INT32 <= value < INT32 else "Long", "value": value, "valueInfo": {}}
    if isinstance(value, float):
        return {"type": "Double", "value": value, "valueInfo": {}}
    if isinstance(value, datetime):
        return {"type": "Date", "value": camunda_date(value), "valueInfo": {}}
    if isinstance(value, dict | list | tuple):
        return {"type": "Json", "value": json.dumps(value, default=str), "valueInfo": {}}
    return {"type": "String", "value": str(value), "valueInfo": {}}


def to_camunda(values: dict[str, Any], names: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
    """Variables for an answer; ``names`` limits them (unknown names are left out, as Camunda does)."""
    wanted = values.keys() if names is None else [name for name in names if name in values]
    return {name: to_camunda_value(values[name]) for name in wanted}
