"""The case page's words for the states of "request information from the customer"."""

from __future__ import annotations

from flask_babel import gettext as _

from engine.services.casework import customer_contact
from webui.diagram_text import task_name


def info_unavailable_text(state: customer_contact.InfoRequestState) -> str:
    """Why information cannot be requested now, and what to do instead."""
    step = task_name(state.task) if state.task else ""
    if state.mode == customer_contact.INFO_CLOSED:
        return _("This complaint is closed. To write to the customer, use “Reply to the customer”.")
    if state.mode == customer_contact.INFO_TAKEN:
        return _(
            "The step “%(step)s” is assigned to %(user)s; only they (or a team lead) can ask the customer now.",
            step=step,
            user=state.task.assignee if state.task else "",
        )
    if state.mode == customer_contact.INFO_NOT_CANDIDATE:
        return _("The step “%(step)s” is not offered to you, so you cannot ask the customer from it.", step=step)
    if state.mode == customer_contact.INFO_ELSEWHERE:
        return _(
            "The process is at “%(steps)s”, which cannot wait for the customer. Information can be requested from "
            "the step where the complaint is handled, if the process offers it there; otherwise use “Reply to the "
            "customer”, which does not pause the SLA.",
            steps=", ".join(task_name(task) for task in state.open_tasks) or ", ".join(state.open_steps),
        )
    return _(
        "No open step of this complaint's process can wait for the customer now. Use “Reply to the customer”; "
        "the SLA clock keeps running."
    )
