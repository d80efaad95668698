"""The notification events staff receive; a user may switch e-mail off per event (never the in-app list)."""

from __future__ import annotations

STAFF_EVENTS = (
    "task_assigned",
    "high_priority",
    "sla_reminder",
    "sla_escalation",
    "handover_received",
    "handover_answered",
    "subtask_assigned",
)
