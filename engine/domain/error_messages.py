# ruff: noqa: E501 - one message a line, as the catalogue has them
"""The English templates of the errors the services raise and of their form field messages, by message code.

Part of ``engine.domain.messages.MESSAGES`` (kept apart so both stay short); the German is in the UI's catalogue.
A ``%(name)r`` placeholder shows the value quoted, as the English text always did.
"""

from __future__ import annotations


def N_(text: str) -> str:  # noqa: N802 - the gettext convention for "translate where it is shown"
    return text


ERROR_MESSAGES: dict[str, str] = {
    "letter.not_rendered": N_("letter template %(template)s: %(error)s"),
    "erasure.open_complaints": N_(
        "the customer still has open complaints (%(references)s); erase after they are closed and their processes have ended"
    ),
    "account.own_admin_role": N_("you cannot remove your own admin role or lock yourself out"),
    "account.unknown_groups": N_("unknown group(s): %(values)s"),
    "account.unknown_roles": N_("unknown role(s): %(values)s"),
    "account.username_rule": N_("use 2-63 lower-case letters, digits, dots, dashes or underscores"),
    "article.too_many_tags": N_("too many tags"),
    "calendar.hours_format": N_("HH:MM-HH:MM, several separated by commas"),
    "calendar.name_rule": N_("letters, digits, . _ - (at most 40)"),
    "calendar.no_working_hours": N_("a calendar needs working hours on at least one day"),
    "calendar.seven_weekdays": N_("seven weekdays, Monday first"),
    "calendar.unknown_country": N_("unknown country or region"),
    "calendar.unknown_timezone": N_("unknown time zone"),
    "case.note_kind": N_("must be an internal note or a customer message"),
    "company.name_required": N_("enter the company name"),
    "company.name_too_long": N_("at most %(num)s printable characters"),
    "correlation.no_match": N_(
        "Cannot correlate message '%(message_name)s': No process definition or execution matches"
    ),
    "correlation.several": N_("Cannot correlate message '%(message_name)s': it matches %(num)s instances"),
    "decision.evaluation_failed": N_("decision %(key)r could not be evaluated: %(message)s"),
    "decision.not_in_deployment": N_(
        'decision %(key)r is bound to the deployment (camunda:decisionRefBinding="deployment") but the deployment has no DMN file declaring it: deploy the DMN file together with the process'
    ),
    "decision.tag_not_deployed": N_("decision %(key)r has no version tagged %(tag)r (camunda:versionTag) deployed"),
    "decision.unknown_binding": N_(
        "decision %(key)r: camunda:decisionRefBinding %(binding)r is not one of latest, deployment, version, versionTag"
    ),
    "decision.version_not_deployed": N_("decision %(key)r has no version %(version)s deployed"),
    "decision.version_not_number": N_(
        "decision %(key)r: camunda:decisionRefVersion must be a version number, not %(version)r"
    ),
    # Refusals: the actor's role or the token does not allow the action.
    "denied.admin_only": N_("only an admin may do this"),
    "denied.admins_only": N_("only admins do this"),
    "denied.assign_others": N_("only team leads and admins may assign tasks to others"),
    "denied.assigned_to_other": N_("task %(task)r is assigned to %(assignee)s"),
    "denied.calendars": N_("only admins manage business calendars"),
    "denied.change_variables": N_("user %(user)r may not change process variables"),
    "denied.company_name": N_("only admins change the company name"),
    "denied.control_instances": N_("only managers, team leads and admins may suspend, resume, cancel or reassign"),
    "denied.create_tokens": N_("only admins create API tokens"),
    "denied.delete_articles": N_("only team leads, managers and admins may delete articles"),
    "denied.delete_deployments": N_("user %(user)r may not delete deployments (needs the designer role)"),
    "denied.edit_templates": N_("only team leads and admins may edit reply templates"),
    "denied.four_eyes": N_("%(user)s may not work on task %(task)r (four-eyes principle)"),
    "denied.hand_back": N_("only the assignee or a team lead may hand back task %(task)r"),
    "denied.manage_users": N_("only administrators may manage users and groups"),
    "denied.manage_webhooks": N_("only admins manage webhooks and see the delivery log"),
    "denied.migrate": N_("only admins and process designers may migrate instances"),
    "denied.not_candidate": N_("%(user)s is not a candidate for task %(task)r"),
    "denied.publish_articles": N_("only team leads, managers and admins may publish articles"),
    "denied.read_external_tasks": N_("user %(user)r may not read external tasks"),
    "denied.register_returns": N_("only managers and admins may read the complaint register and the returns"),
    "denied.retry_instances": N_("only admins, team leads, managers and designers may retry instances"),
    "denied.revoke_tokens": N_("only admins revoke API tokens"),
    "denied.see_tokens": N_("only admins see API tokens"),
    "denied.set_retries": N_("user %(user)r may not set retries of external tasks"),
    "denied.sla_targets": N_("only admins change the SLA targets"),
    "denied.token_scope": N_("this API token's scope (%(scope)s) does not allow this call"),
    "denied.work_external_tasks": N_("user %(user)r may not work on external tasks (needs the worker group)"),
    "denied.write_articles": N_("only agents, team leads, managers and admins may write articles"),
    "deploy.called_process_missing": N_("called process %(current)r is neither in the upload nor deployed"),
    "deploy.condition_invalid": N_("condition of the flow to %(target)s does not compile: %(message)s"),
    "deploy.decision_missing": N_("decision %(decision_id)r is neither in the upload nor deployed"),
    "deploy.decision_versions_differ": N_(
        "the business rule tasks of process %(process_id)r bind decision %(decision_id)r to different versions; bind them alike (one version of a decision per process version)"
    ),
    "deploy.dmn_import_missing": N_(
        "%(filename)s imports the DMN namespace %(namespace)r, which is neither in the upload nor deployed"
    ),
    "deploy.file_type": N_("only .bpmn and .dmn files can be deployed"),
    "deploy.no_executable": N_('no executable process found (isExecutable="true")'),
    "deploy.no_files": N_("no files to deploy"),
    "deploy.not_utf8": N_("file is not UTF-8 text"),
    "deploy.script_invalid": N_("script does not compile: %(message)s"),
    "external.duration_positive": N_("newDuration must be positive"),
    "external.error_code_required": N_("errorCode is required"),
    "external.held_by_other": N_("External Task %(task_id)s cannot be %(verb)s by worker '%(worker_id)s'. %(holder)s"),
    "external.lock_expired": N_("Cannot extend a lock that expired for external task %(task_id)s"),
    "external.retries_negative": N_("retries must not be negative"),
    "external.suspended": N_("ExternalTask with id '%(id)s' is suspended"),
    "external.worker_id_required": N_("workerId is required"),
    "field.already_taken": N_("is already taken"),
    "field.en_or_de": N_("must be en or de"),
    "field.not_negative": N_("must not be negative"),
    "field.not_notification_event": N_("is not a notification event"),
    "filter.name_required": N_("is required (at most 100 characters)"),
    "filter.too_many": N_("you can keep at most %(num)s filters"),
    "group.name_rule": N_("use lower-case letters, digits, dots, dashes or underscores"),
    "instance.data_not_json": N_("instance data must be JSON values: %(error)s"),
    "instance.ended": N_("process instance %(instance_id)s has ended"),
    "instance.no_failed_step": N_("the instance has no failed step to retry"),
    "instance.not_waiting_for_message": N_("the instance is not waiting for the message %(name)r"),
    "instance.service_task_not_waiting": N_("service task %(task_id)s is not waiting for its result"),
    "intake.complaint_closed": N_("this complaint is closed; please open a new one"),
    "intake.key_reused": N_("this key was already used for a different request; send a new key"),
    "intake.rate_limited": N_("too many requests; please try again later"),
    "migration.already_on_version": N_("instance %(instance_id)s already runs on version %(version)s"),
    "migration.instance_status": N_("instance %(instance_id)s is %(status)s"),
    "migration.suspended": N_("instance %(instance_id)s is suspended; resume it before migrating it"),
    # What a use case looked for and did not find.
    "notfound.active_user": N_("there is no active user %(user)r"),
    "notfound.article": N_("article %(article_id)s does not exist"),
    "notfound.attachment": N_("attachment %(attachment_id)s does not exist"),
    "notfound.calendar": N_("business calendar %(name)r is not stored"),
    "notfound.called_version": N_("the called process version %(key)r an instance runs is no longer deployed"),
    "notfound.complaint": N_("complaint %(complaint)s does not exist"),
    "notfound.complaint_reference": N_("complaint %(reference)r does not exist"),
    "notfound.customer": N_("customer %(customer_id)s does not exist"),
    "notfound.decision": N_("no deployed decision definition with key %(key)r"),
    "notfound.deployment": N_("the deployment does not exist"),
    "notfound.external_task": N_("External task with id %(task_id)s does not exist"),
    "notfound.filter": N_("filter %(filter_id)s does not exist"),
    "notfound.group": N_("there is no group %(group)r"),
    "notfound.handover": N_("hand-over %(handover_id)s does not exist"),
    "notfound.instance": N_("instance %(instance_id)s does not exist"),
    "notfound.no_such_complaint": N_("no such complaint"),
    "notfound.process": N_("process %(process_key)r is not deployed"),
    "notfound.process_version": N_("process %(process_key)r version %(version)s is not deployed"),
    "notfound.regulatory_deadline": N_("no regulatory deadline %(deadline_id)s"),
    "notfound.reply_template": N_("reply template %(template_id)s does not exist"),
    "notfound.subtask": N_("subtask %(subtask_id)s does not exist"),
    "notfound.task": N_("task %(task)s does not exist"),
    "notfound.task_in_instance": N_("task %(task_id)s is not part of this instance"),
    "notfound.token": N_("API token %(token_id)s does not exist"),
    "notfound.user": N_("user %(user)s does not exist"),
    "notfound.waiting_for_message": N_(
        "no instance is waiting for the message %(message_name)r with key %(correlation_key)r"
    ),
    "notfound.webhook": N_("webhook %(endpoint_id)s does not exist"),
    "notfound.webhook_delivery": N_("webhook delivery %(outbox_id)s does not exist"),
    "portal.already_rated": N_("this complaint has already been rated; thank you"),
    "portal.cannot_reopen": N_("this complaint can no longer be reopened; please open a new one"),
    "portal.rate_when_resolved": N_("you can rate the handling once the complaint is resolved"),
    "regulation.not_missed": N_("this deadline has not been missed"),
    "regulation.reason_length": N_("write 3 to %(num)s characters"),
    "removal.called_instances": N_(
        "version %(version)s of %(process_key)r runs in called process instances; they keep their version, so it cannot be deleted"
    ),
    "sla.clock_not_started": N_("the SLA clock of complaint %(reference)s was never started (run sla_start first)"),
    "sla.named_error": N_("%(name)s: %(error)s"),
    "sla.pause_before_received": N_("cannot pause the SLA clock before the complaint was received"),
    "sla.pause_overlaps": N_("cannot pause the SLA clock before the end of its previous pause"),
    "sla.reminder_share": N_("the reminder share must lie between 0 and 1, got %(share)s"),
    "task.form_data_object": N_("form data must be an object of field values"),
    "task.not_ready": N_("task %(task_id)s is %(state)s, not ready"),
    "token.scope_choice": N_("must be read, intake or full"),
    "webhook.events_required": N_("name at least one event type (or * for all)"),
    "webhook.retry_only_failed": N_("only a failed delivery can be retried; a pending one is retried automatically"),
    "webhook.secret_length": N_("at least %(num)s and at most 200 characters"),
    "webhook.unknown_events": N_("not an event name: %(values)s"),
    "webhook.url_absolute": N_("must be an absolute http:// or https:// URL"),
    "webhook.url_characters": N_("must not contain spaces or control characters (500 characters at most)"),
    "webhook.url_credentials": N_("must not contain a user name or password; the signature authenticates"),
    "workload.choose_task": N_("choose at least one task"),
    "workload.too_many_tasks": N_("choose at most %(num)s tasks"),
    "workload.user_excluded": N_("%(user)s may not work on task %(task)r; nothing was reassigned"),
}
