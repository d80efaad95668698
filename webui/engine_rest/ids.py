"""Camunda's ids are UUID strings; complaintflow's instances have integer keys.

An instance id is written as the UUID whose integer value is the key (``00000000-...-00000000002a`` for
42): a valid UUID for clients that parse them, and read back without a lookup. Plain integers are accepted
too. Activity instances read ``elementId:taskUuid`` like Camunda's.
"""

from __future__ import annotations

import uuid

from webui.engine_rest.common import RestError, row_id


def instance_uuid(instance_id: int) -> str:
    return str(uuid.UUID(int=instance_id))


def parse_instance_id(text: str) -> int:
    """The integer key of an instance id from a request; a malformed one is an unknown id (404)."""
    text = (text or "").strip()
    number = row_id(text)
    if number is None and not text.isdigit():
        try:
            number = row_id(str(uuid.UUID(text).int))
        except ValueError:
            number = None
    if number is None:
        raise RestError(404, f"Process instance with id {text} does not exist")
    return number


def maybe_instance_id(text: str | None) -> int | None:
    """Like :func:`parse_instance_id` for filters: None when absent, -1 (matches nothing) when malformed."""
    if not text:
        return None
    try:
        return parse_instance_id(text)
    except RestError:
        return -1


def activity_instance_id(element_id: str, task_id: str) -> str:
    return f"{element_id}:{task_id}"
