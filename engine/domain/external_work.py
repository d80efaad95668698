"""Who may fetch and complete external tasks: workers are integrations, not people at a desk."""

from __future__ import annotations

from engine.domain.actors import Actor
from engine.domain.roles import EXTERNAL_TASK_OPERATOR_ROLES, ROLE_ADMIN

# Members of this group (an API token created with it, or a user put into it) may work every topic.
WORKER_GROUP = "external_workers"


def may_work_external_tasks(actor: Actor) -> bool:
    """Admins and members of the worker group fetch, lock, complete and fail external tasks."""
    return ROLE_ADMIN in actor.roles or WORKER_GROUP in actor.groups


def may_read_external_tasks(actor: Actor) -> bool:
    """Workers and the operators of the cockpit see external tasks."""
    return may_work_external_tasks(actor) or bool(actor.roles & EXTERNAL_TASK_OPERATOR_ROLES)
