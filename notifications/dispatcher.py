"""The outbox dispatcher: claims due rows, sends them through the channels' senders and books the outcome.

Each row is claimed with a conditional update (engine.services.delivery.bookkeeping.claim_message), so two dispatchers
never both send it. Each target of a row (an address, a user, an endpoint) is logged as delivered right
after its send; a retry skips those. Failures are retried with exponential backoff and never touch a
workflow: the dispatcher writes only outbox, delivery-log and notification rows, through services.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.domain.errors import Conflict, DatabaseBusy
from engine.domain.notification_channels import CHANNEL_EMAIL, CHANNEL_IN_APP, CHANNEL_WEBHOOK
from engine.services.company import company_name
from engine.services.delivery import bookkeeping as delivery
from engine.services.delivery import notices
from engine.store.complaints import Complaint
from engine.store.diagram_text_queries import task_title_in
from engine.store.outbox import OUTBOX_FAILED, OutboxMessage
from notifications import links, smtp
from notifications.channels import CHANNELS, Target
from notifications.errors import DeliveryError, PermanentDeliveryError, TransientDeliveryError
from notifications.rendering import RenderedMail, render_mail
from notifications.settings import ChannelSettings
from notifications.wording import language, outcome_label, priority_label, status_label

log = logging.getLogger(__name__)


@dataclass
class DispatchReport:
    """What one pass did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0  # claimed by another dispatcher first


class Dispatcher:
    """Implements engine.ports.Notifier for outbox rows; ``run_once``/``run_forever`` drive it."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        settings: ChannelSettings,
        clock: Callable[[], datetime],
        *,
        send_mail: Callable[[ChannelSettings, smtp.OutgoingMail], None] = smtp.send,
    ) -> None:
        self.sessions = sessions
        self.settings = settings
        self.clock = clock
        self.send_mail = send_mail

    # -- one pass -------------------------------------------------------------------------------------
    def run_once(self, limit: int = 100) -> DispatchReport:
        """Send every row that is due now (up to ``limit``)."""
        report = DispatchReport()
        with self.sessions() as session:
            ids = delivery.due_message_ids(session, self.clock(), limit)
        for message_id in ids:
            try:
                with self.sessions() as session:
                    message = delivery.claim_message(session, message_id, self.clock(), self.settings.retry)
            except (Conflict, DatabaseBusy):
                message = None  # another dispatcher's write got in the way: the row stays due for the next pass
            if message is None:
                report.skipped += 1
                continue
            self._attempt(message, report)
        return report

    def run_forever(self, stop: threading.Event, interval: float = 5.0) -> None:
        """Poll until ``stop`` is set; a pass that raises is logged and the loop goes on."""
        while not stop.is_set():
            try:
                report = self.run_once()
            except Exception:  # noqa: BLE001 - a database hiccup must not end the dispatcher
                log.exception("dispatch pass failed")
                report = DispatchReport()
            if report.sent or report.retrying or report.failed:
                log.info("dispatched: %s", report)
            # A full batch means more may be waiting: go again at once.
            if report.sent + report.retrying + report.failed + report.skipped < 100:
                stop.wait(interval)

    def _attempt(self, message: OutboxMessage, report: DispatchReport) -> None:
        claimed = message.attempts
        try:
            self.deliver(message)
        except DeliveryError as error:
            status = self._failed(message, claimed, str(error), error.permanent)
        except Exception as error:  # noqa: BLE001 - a bug in one row must not stop the others
            log.exception("delivering outbox row %s failed unexpectedly", message.id)
            status = self._failed(message, claimed, f"{type(error).__name__}: {error}", False)
        else:
            with self.sessions() as session:
                delivery.mark_sent(session, message.id, claimed, self.clock())
            report.sent += 1
            return
        if status == OUTBOX_FAILED:
            report.failed += 1
        else:
            report.retrying += 1

    def _failed(self, message: OutboxMessage, claimed: int, error: str, permanent: bool) -> str:
        with self.sessions() as session:
            return delivery.mark_failed_attempt(
                session, message.id, claimed, error, self.clock(), self.settings.retry, permanent=permanent
            )

    # -- the Notifier port ----------------------------------------------------------------------------
    def deliver(self, message: OutboxMessage) -> None:
        """Reach every target of the row that has not been reached yet; raise when any is left."""
        with self.sessions() as session:
            done = delivery.delivered_targets(session, message.id)
            targets = self._targets(session, message)
            pending = [target for target in targets if (target.channel, target.key) not in done]
            # Channels that take every target at once (the in-app list) first, then one target at a time.
            for channel in CHANNELS.values():
                batch = [target for target in pending if target.channel == channel.name]
                if channel.send_all is not None and batch:
                    channel.send_all(self, session, message, batch)
            errors: list[DeliveryError] = []
            for target in pending:
                send = CHANNELS[target.channel].send
                if send is None:
                    continue
                started = time.monotonic()
                status_code: int | None = None
                try:
                    status_code = send(self, session, message, target)
                except DeliveryError as error:
                    errors.append(error)
                    delivery.record_attempt(
                        session,
                        message.id,
                        target.channel,
                        target.key,
                        False,
                        self.clock(),
                        status_code=error.status_code,
                        error=str(error),
                        duration_ms=_ms(started),
                    )
                    continue
                delivery.record_attempt(
                    session,
                    message.id,
                    target.channel,
                    target.key,
                    True,
                    self.clock(),
                    status_code=status_code,
                    duration_ms=_ms(started),
                )
        if errors:
            text = "; ".join(str(error) for error in errors)
            if all(error.permanent for error in errors):
                raise PermanentDeliveryError(text)
            raise TransientDeliveryError(text)

    def _targets(self, session: Session, message: OutboxMessage) -> list[Target]:
        recipient = (message.recipient or "").strip()
        if message.kind == CHANNEL_WEBHOOK:
            return [Target(CHANNEL_WEBHOOK, recipient)]
        if notices.is_address(recipient):
            complaint = _complaint(session, message)
            name = ""
            lang = language(message.payload.get("language") or _variables(message).get("language"))
            if complaint is not None:
                lang = language(complaint.language)
                if (complaint.customer.email or "").lower() == recipient.lower():
                    name = complaint.customer.name
            return [Target(CHANNEL_EMAIL, recipient, name, lang)]
        users = notices.resolve_users(session, recipient)
        if not users:
            raise PermanentDeliveryError(f"nobody to notify: no active user or group member for {recipient!r}")
        targets = []
        default_email = message.kind == CHANNEL_EMAIL
        for user in users:
            lang = language(user.language)
            targets.append(Target(CHANNEL_IN_APP, user.username, user.display_name, lang, True))
            if user.email and notices.email_wanted(session, user.username, message.topic, default_email):
                targets.append(Target(CHANNEL_EMAIL, user.email, user.display_name, lang, True))
        return targets

    def render(self, session: Session, message: OutboxMessage, name: str, lang: str, *, staff: bool) -> RenderedMail:
        """The row's text for one recipient (channels.Sending)."""
        return render_mail(message.topic, lang, self._values(session, message, name, lang, staff))

    def _values(self, session: Session, message: OutboxMessage, name: str, lang: str, staff: bool) -> dict[str, Any]:
        settings = self.settings
        complaint = _complaint(session, message)
        variables = _variables(message)
        payload = message.payload if isinstance(message.payload, dict) else {}
        reference = complaint.reference if complaint else payload.get("reference") or variables.get("complaint_id")
        reference = str(reference) if reference else None
        due_at = _parse(payload.get("due_at"))
        values: dict[str, Any] = {
            "reference": reference,
            "recipient_name": name or None,
            "row_subject": message.subject,
            # Process templates carry the agent's text in variables (processes/README.md).
            "body": message.body
            or (variables.get("resolution_summary") if message.topic == "complaint_resolved" else None)
            or variables.get("customer_message")
            or None,
            "task_title": self._task_title(session, payload, lang) or variables.get("task_title"),
            "due_at": self._when(due_at, lang),
            "priority": payload.get("priority") or (complaint.priority if complaint else None),
            # The company name an admin set (or COMPLAINTFLOW_COMPANY_NAME), else the configured sender name.
            "sender_name": company_name(session) or settings.mail_from_name,
            **self._due_in(due_at),
        }
        values["priority_label"] = priority_label(values["priority"], lang) or None
        if complaint is not None:
            values.update(
                complaint_subject=complaint.subject,
                status=complaint.status,
                status_label=status_label(complaint.status, lang),
                outcome_label=outcome_label(complaint.outcome, lang) or None,
                expected_response=self._when(complaint.first_response_due_at or complaint.resolution_due_at, lang),
            )
        else:
            values["complaint_subject"] = variables.get("subject")
        if reference and staff:
            values["case_link"] = links.case_link(settings.public_url, reference)
        elif reference:
            # Only customers get the private link; it is never put into staff mails or webhooks.
            values["status_link"] = links.status_link(settings.public_url, settings.secret_key, reference)
            values["rating_link"] = links.rating_link(settings.public_url, settings.secret_key, reference)
        if staff:
            if payload.get("task_id"):
                values["task_link"] = links.task_link(settings.public_url, str(payload["task_id"]))
            values["inbox_link"] = links.inbox_link(settings.public_url, payload.get("handover"))
        return values

    @staticmethod
    def _task_title(session: Session, payload: dict[str, Any], lang: str) -> str | None:
        """The task's name in the recipient's language, as the diagram translates it (the row's name otherwise)."""
        task_id = payload.get("task_id")
        translated = task_title_in(session, str(task_id), lang) if task_id else None
        return translated or payload.get("task_title")

    def _due_in(self, due_at: datetime | None) -> dict[str, int]:
        """How long until a deadline, in the largest whole unit (``due_in_hours=3``); nothing once it is past."""
        if due_at is None:
            return {}
        minutes = int((due_at - self.clock()).total_seconds() // 60)
        if minutes <= 0:
            return {}
        if minutes >= 48 * 60:
            return {"due_in_days": minutes // (24 * 60)}
        if minutes >= 60:
            return {"due_in_hours": minutes // 60}
        return {"due_in_minutes": minutes}

    def _when(self, moment: datetime | None, lang: str) -> str | None:
        if moment is None:
            return None
        local = moment.astimezone(ZoneInfo(self.settings.timezone))
        # With the zone, as every page shows times (one rule for pages, mails and in-app notices).
        return local.strftime("%d.%m.%Y %H:%M %Z" if lang == "de" else "%Y-%m-%d %H:%M %Z")


def _complaint(session: Session, message: OutboxMessage) -> Complaint | None:
    if message.complaint_id:
        return session.get(Complaint, message.complaint_id)
    variables = _variables(message)
    reference = message.payload.get("reference") or variables.get("complaint_id")
    if isinstance(reference, str):
        return session.scalars(select(Complaint).where(Complaint.reference == reference)).first()
    return None


def _variables(message: OutboxMessage) -> dict[str, Any]:
    variables = message.payload.get("variables") if isinstance(message.payload, dict) else None
    return variables if isinstance(variables, dict) else {}


def _parse(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
