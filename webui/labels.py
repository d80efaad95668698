"""Labels for stored enumerations (categories, statuses, outcomes, root causes, product groups, audit actions)
in the user's language.

Stored values are stable ids (``billing``, ``partly_upheld``, ``sla_started``); pages show them through these maps
(Jinja filter ``label``), never as the raw id. An id without a label (a category a designer introduced) shows as
itself with underscores as spaces, so nothing is hidden.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l

CATEGORY_LABELS = {
    "product": _l("Product"), "delivery": _l("Delivery"), "billing": _l("Billing"), "service": _l("Service"),
    "other": _l("Other"), "account": _l("Customer account"), "quality": _l("Quality"), "technical": _l("Technical"),
    "customer_service": _l("Customer service"), "legal": _l("Legal"),
}  # fmt: skip
STATUS_LABELS = {
    "new": _l("New"), "open": _l("Open"), "waiting_customer": _l("Waiting for the customer"),
    "resolved": _l("Resolved"), "closed": _l("Closed"), "reopened": _l("Reopened"),
    "running": _l("running"), "waiting": _l("waiting"), "completed": _l("completed"), "incident": _l("incident"),
    "suspended": _l("suspended"), "cancelled": _l("cancelled"),
}  # fmt: skip
OUTCOME_LABELS = {
    "upheld": _l("Upheld"), "partly_upheld": _l("Partly upheld"), "rejected": _l("Rejected"),
    "refund": _l("Refund"), "credit_note": _l("Credit note"), "replacement": _l("Replacement"), "repair": _l("Repair"),
    "explanation": _l("Explanation"), "goodwill": _l("Goodwill gesture"), "approved": _l("Approved"),
}  # fmt: skip
ROOT_CAUSE_LABELS = {
    "billing_error": _l("Billing error"), "communication": _l("Communication"), "customer_error": _l("Customer error"),
    "delivery_problem": _l("Delivery problem"), "not_determined": _l("Not determined"),
    "pricing_policy": _l("Pricing or policy"), "process_gap": _l("Gap in our process"),
    "product_defect": _l("Product defect"), "staff_behaviour": _l("Staff behaviour"),
    "system_error": _l("System error"),
    "third_party": _l("Third party (carrier, partner)"),
}  # fmt: skip
PRODUCT_GROUP_LABELS = {
    "banking_credit_cards": _l("Banking and credit cards"), "home_finance": _l("Home finance"),
    "insurance_pure_protection": _l("Insurance and pure protection"),
    "decumulation_pensions": _l("Decumulation and pensions"), "investments": _l("Investments"),
    "credit_related": _l("Credit related"), "payment_services": _l("Payment services and e-money"),
    "other_goods_services": _l("Other goods and services"),
}  # fmt: skip
ACTION_LABELS = {
    # Two events of one intake: the complaint recorded with its process started, and the channel's receipt of it.
    "complaint_opened": _l("Complaint recorded"), "complaint_received": _l("Received through a channel"),
    "instance_started": _l("Process started"), "instance_completed": _l("Process finished"),
    "instance_cancelled": _l("Process cancelled"), "instance_suspended": _l("Process suspended"),
    "instance_resumed": _l("Process resumed"), "instance_retried": _l("Step retried"),
    "instance_migrated": _l("Moved to another process version"), "incident_resolved": _l("Incident resolved"),
    "task_created": _l("New task"), "task_claimed": _l("Claimed"), "task_assigned": _l("Assigned"),
    "task_completed": _l("Completed"), "task_cancelled": _l("Closed by the process"),
    "task_escalated": _l("Task escalated"), "task_reminded": _l("Reminder sent"),
    "complaint_escalated": _l("Complaint escalated"), "timer_fired": _l("Timer expired"),
    "company_name_changed": _l("Company name changed"),
    "notification_queued": _l("Notification queued"), "message_received": _l("Message received"),
    "message_held": _l("Message held"), "sla_started": _l("SLA clock started"),
    "sla_first_response": _l("First response recorded"), "sla_paused": _l("SLA clock paused"),
    "sla_resumed": _l("SLA clock resumed"), "sla_stopped": _l("SLA clock stopped"),
    "sla_deadlines_recomputed": _l("SLA deadlines recomputed"), "status_changed": _l("Status changed"),
    "priority_changed": _l("Priority changed"), "variables_changed": _l("Variables changed"),
    "handover_created": _l("Handed over"), "handover_answered": _l("Hand-over answered"),
    "subtask_created": _l("Subtask created"), "subtask_done": _l("Subtask done"),
    "customer_info_requested": _l("Question to the customer"),
    "customer_information_added": _l("Information from the customer"),
    "customer_replied": _l("Reply to the customer"), "complaint_reopen_requested": _l("Reopening requested"),
    "complaint_reopened": _l("Complaint reopened"), "complaint_closed": _l("Complaint closed"),
    "feedback_received": _l("Feedback received"), "attachments_uploaded": _l("Files attached"),
    "process_deployed": _l("Process deployed"), "user_created": _l("User created"), "user_updated": _l("User changed"),
    "group_saved": _l("Group saved"), "kb_article_saved": _l("Article saved"),
    "kb_article_deleted": _l("Article deleted"), "kb_article_published": _l("Article published in the FAQ"),
    "kb_article_unpublished": _l("Article taken out of the FAQ"), "api_token_created": _l("API token created"),
    "api_token_revoked": _l("API token revoked"), "webhook_created": _l("Webhook created"),
    "webhook_deactivated": _l("Webhook switched off"), "webhook_retried": _l("Webhook delivery retried"),
    "calendar_saved": _l("Business calendar saved"), "calendar_deleted": _l("Business calendar deleted"),
    "calendars_imported": _l("Business calendars imported"),
    "calendar_recomputed": _l("Running deadlines recomputed"), "sla_targets_deployed": _l("SLA targets deployed"),
    "mail_test_sent": _l("Test mail sent"), "mail_test_failed": _l("Test mail failed"),
    "customer_data_exported": _l("Customer data exported"), "customer_erased": _l("Customer erased"),
    "register_viewed": _l("Complaint register viewed"), "register_exported": _l("Complaint register exported"),
    "return_viewed": _l("Return viewed"), "return_exported": _l("Return exported"),
    "complaint_pseudonymised": _l("Complaint pseudonymised"), "retention_run": _l("Retention clean-up run"),
    "audit_redacted": _l("Audit values removed"),
    "complaint_rated": _l("Rating received"), "customer_not_notified": _l("Customer not notified"),
    "decision_deployed": _l("Decision deployed"), "external_task_bpmn_error": _l("External task reported an error"),
    "external_task_completed": _l("External task completed"), "external_task_failed": _l("External task failed"),
    "external_task_retries_set": _l("External task retries set"),
    "external_task_unlocked": _l("External task unlocked"), "external_tasks_locked": _l("External tasks locked"),
    "incident_raised": _l("Incident raised"), "message_dropped": _l("Message dropped"),
    "process_version_deleted": _l("Process version deleted"), "signal_received": _l("Signal received"),
    "task_reassigned": _l("Task reassigned"), "task_unclaimed": _l("Given back to the group"),
    "regulatory_deadline_set": _l("Legal deadline set"), "regulatory_deadline_extended": _l("Legal deadline extended"),
    "regulatory_deadline_met": _l("Legal deadline met"), "regulatory_deadline_reminded": _l("Legal deadline reminder"),
    "regulatory_deadline_breached": _l("Legal deadline missed"),
    "regulatory_breach_explained": _l("Reason for a missed legal deadline"),
    "regulatory_letter_sent": _l("Mandated letter sent"), "regulatory_letter_to_print": _l("Mandated letter to print"),
    "erasure_restricted": _l("Erasure restricted by legal retention"),
}  # fmt: skip

# Column names of the cockpit's CSV exports in languages other than English (English keeps the ids).
CSV_HEADERS = {
    "period_start": _l("period start"), "new": _l("new"), "closed": _l("closed"), "open": _l("open"),
    "traffic_light": _l("traffic light"), "complaints": _l("complaints"), "tasks": _l("tasks"), "count": _l("count"),
    "csat": _l("CSAT"), "answers": _l("answers"), "category": _l("category"), "root_cause": _l("root cause"),
    "customer_id": _l("customer id"), "customer": _l("customer"), "team": _l("team"), "opened": _l("opened"),
    "resolved": _l("resolved"), "sla_met_percent": _l("SLA met (%)"), "user": _l("user"),
    "tasks_completed": _l("tasks completed"), "customer_name": _l("customer name"),
    "customer_email": _l("customer e-mail"), "reference": _l("reference"), "subject": _l("subject"),
    "channel": _l("channel"), "priority": _l("priority"), "status": _l("status"), "created_at": _l("created at"),
    # The complaints export: every column of the complaint table.
    "id": _l("id"), "instance_id": _l("instance id"), "explicit": _l("explicit complaint"),
    "description": _l("description"), "product": _l("product"), "order_ref": _l("order or invoice number"),
    "amount_disputed": _l("amount disputed"), "currency": _l("currency"), "language": _l("language"),
    "handling_level": _l("handling level"), "responsible_group": _l("responsible group"),
    "created_by": _l("created by"), "updated_at": _l("updated at"), "sla_calendar": _l("business calendar"),
    "first_response_target": _l("first response target"), "resolution_target": _l("resolution target"),
    "first_response_due_at": _l("first response due at"), "resolution_due_at": _l("resolution due at"),
    "resolution_amber_at": _l("resolution due soon at"), "first_response_at": _l("first response at"),
    "resolved_at": _l("resolved at"), "closed_at": _l("closed at"), "sla_paused_at": _l("SLA paused at"),
    "sla_pauses": _l("SLA pauses"), "first_response_met": _l("first response in time"),
    "resolution_met": _l("resolution in time"), "first_response_hours": _l("first response hours"),
    "resolution_net_hours": _l("resolution net hours"), "outcome": _l("outcome"),
    "resolution_type": _l("resolution type"), "resolution_amount": _l("resolution amount"), "nps": _l("NPS"),
    "feedback_comment": _l("feedback comment"), "extra": _l("further data"),
    "pseudonymised_at": _l("pseudonymised at"), "product_group": _l("product group"),
    "resolution_currency": _l("resolution currency"), "acknowledged_at": _l("acknowledged at"),
    "holding_response_at": _l("holding response at"), "final_response_at": _l("final response at"),
    "legal_deadline_at": _l("legal deadline"), "within_legal_deadline": _l("within the legal deadline"),
    "settled_at": _l("settled at"), "settled_band": _l("time-to-close band"),
    # The audit export.
    "at": _l("at"), "actor": _l("by"), "action": _l("action"), "task_id": _l("task id"),
    "element_id": _l("element id"), "message": _l("message"), "before": _l("before"), "after": _l("after"),
}  # fmt: skip

# Column names of the complaint register (engine.store.register.COLUMNS): page headings and non-English exports.
REGISTER_HEADERS = {
    "reference": _l("Reference"), "received_at": _l("Received"), "channel": _l("Channel"),
    "customer": _l("Customer"), "product": _l("Product"), "product_group": _l("Product group"),
    "category": _l("Category"), "root_cause": _l("Root cause"), "outcome": _l("Outcome"),
    "redress_amount": _l("Redress"), "redress_currency": _l("Currency"),
    "acknowledged_at": _l("Acknowledged"), "holding_response_at": _l("Holding response"),
    "final_response_at": _l("Final response"), "legal_deadline_at": _l("Legal deadline"),
    "within_legal_deadline": _l("Within the legal deadline"), "status": _l("Status"), "closed_at": _l("Closed"),
}  # fmt: skip

ASSIGNMENT_LABELS = {"assigned": _l("assigned"), "unassigned": _l("unassigned")}
SEGMENT_LABELS = {"standard": _l("Standard"), "premium": _l("Premium"), "business": _l("Business")}
# The lane groups `complaintflow init-db` creates (complaintflow/web.py DEFAULT_GROUPS); other groups show their name.
GROUP_LABELS = {
    "agent": _l("Agents (1st level)"),  # not a role: a lane group
    "team_lead": _l("Team leads"),  # not a role: a lane group
    "second_level": _l("2nd level support"), "technical": _l("Technical department"),
    "billing": _l("Billing department"), "legal": _l("Legal department"), "quality": _l("Quality management"),
}  # fmt: skip

# BPMN element kinds as diagnostics name them (local names of the XML elements).
ELEMENT_KIND_LABELS = {
    "serviceTask": _l("service task"),
    "userTask": _l("user task"),
    "scriptTask": _l("script task"),
    "sendTask": _l("send task"),
    "receiveTask": _l("receive task"),
    "businessRuleTask": _l("business rule task"),
    "manualTask": _l("manual task"),
    "task": _l("task"),
    "callActivity": _l("call activity"),
    "subProcess": _l("subprocess"),
    "adHocSubProcess": _l("ad-hoc subprocess"),
    "transaction": _l("transaction"),
    "startEvent": _l("start event"),
    "endEvent": _l("end event"),
    "intermediateCatchEvent": _l("intermediate catch event"),
    "intermediateThrowEvent": _l("intermediate throw event"),
    "boundaryEvent": _l("boundary event"),
    "exclusiveGateway": _l("exclusive gateway"),
    "inclusiveGateway": _l("inclusive gateway"),
    "parallelGateway": _l("parallel gateway"),
    "eventBasedGateway": _l("event-based gateway"),
    "complexGateway": _l("complex gateway"),
    "process": _l("process"),
}
_KINDS = {
    "element": ELEMENT_KIND_LABELS,
    "assignment": ASSIGNMENT_LABELS,
    "segment": SEGMENT_LABELS,
    "group": GROUP_LABELS,
    "category": CATEGORY_LABELS,
    "status": STATUS_LABELS,
    "outcome": OUTCOME_LABELS,
    "root_cause": ROOT_CAUSE_LABELS,
    "product_group": PRODUCT_GROUP_LABELS,
    "action": ACTION_LABELS,
}


def label(value: Any, kind: str) -> str:
    """The label of a stored id in the user's language; an unknown id as itself, underscores as spaces."""
    if value is None or value == "":
        return "–"
    known = _KINDS[kind].get(str(value))
    return str(known) if known is not None else str(value).replace("_", " ")


def group_names(names: Any) -> str:
    """Group ids as people read them, comma-separated ("Billing department, Legal department")."""
    return ", ".join(label(name, "group") for name in names or ())


def init_app(app: Flask) -> None:
    """The ``label`` filter (``{{ complaint.category|label('category') }}``) and ``task_name`` (diagram texts)."""
    from webui.diagram_text import task_name
    from webui.engine_text import diagnostic_hint, diagnostic_message, engine_message

    app.jinja_env.filters["label"] = label
    app.jinja_env.filters["group_names"] = group_names
    app.jinja_env.filters["task_name"] = task_name
    # Engine messages (errors, designer diagnostics) carry codes: pages render them from the catalogue.
    app.jinja_env.globals.update(
        diagnostic_message=diagnostic_message, diagnostic_hint=diagnostic_hint, engine_message=engine_message
    )
