"""The dispatcher: SMTP outages, retries with backoff, two dispatchers at once, refusals and preferences."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from sqlalchemy import select

from engine.domain.actors import Actor
from engine.services.delivery import bookkeeping as delivery
from engine.services.delivery import notices
from engine.services.delivery.outbox import enqueue
from engine.store.channels import DeliveryAttempt, InAppNotification
from engine.store.models import ProcessInstance
from engine.store.outbox import OutboxMessage
from tests.conftest import DatabaseUnderTest
from tests.notifications.helpers import (
    Clock,
    SmtpServer,
    add_user,
    channel_settings,
    dispatcher,
    free_port,
    open_test_complaint,
)


def _queue_mails(database: DatabaseUnderTest, now: datetime, count: int) -> list[int]:
    with database.session() as session:
        rows = [
            enqueue(
                session,
                now,
                kind="email",
                topic="customer_reply",
                recipient=f"customer{i}@example.org",
                subject=f"Reply {i}",
                body=f"Body {i}",
            )
            for i in range(count)
        ]
        session.commit()
        return [row.id for row in rows]


def _rows(database: DatabaseUnderTest, ids: list[int]) -> list[OutboxMessage]:
    with database.session() as session:
        return delivery.messages_by_id(session, ids)


def test_mails_wait_while_smtp_is_down_and_all_go_out_once_when_it_is_back(
    database: DatabaseUnderTest, clock: Clock, now: datetime
) -> None:
    ids = _queue_mails(database, now, 5)
    server = SmtpServer(port=free_port())  # not started: connections are refused
    worker = dispatcher(database.sessions, channel_settings(server.port), clock)

    report = worker.run_once()
    assert (report.sent, report.retrying) == (0, 5)
    rows = _rows(database, ids)
    assert all(row.status == "pending" and row.attempts == 1 for row in rows)
    assert all(row.next_attempt_at == now + timedelta(minutes=1) for row in rows)
    assert "Connection refused" in (rows[0].last_error or "") or "refused" in (rows[0].last_error or "").lower()

    clock.advance(seconds=30)
    assert worker.run_once().retrying == 0, "nothing is retried before its backoff has passed"
    clock.advance(seconds=31)
    assert worker.run_once().retrying == 5
    assert all(row.next_attempt_at == clock.now + timedelta(minutes=2) for row in _rows(database, ids))

    server.start()
    try:
        clock.advance(minutes=2)
        report = worker.run_once()
        assert report.sent == 5
        clock.advance(hours=12)
        assert worker.run_once().sent == 0
        received = sorted(message["To"].addresses[0].addr_spec for message in server.recorder.messages())
    finally:
        server.stop()
    assert received == sorted(f"customer{i}@example.org" for i in range(5)), "each mail exactly once"
    assert all(row.status == "sent" and row.attempts == 3 for row in _rows(database, ids))
    with database.session() as session:
        log = session.scalars(select(DeliveryAttempt).order_by(DeliveryAttempt.id)).all()
    assert [entry.success for entry in log].count(True) == 5 and [e.success for e in log].count(False) == 10


def test_two_dispatchers_at_once_send_every_mail_exactly_once(
    database: DatabaseUnderTest, smtp_server: SmtpServer, clock: Clock, now: datetime
) -> None:
    ids = _queue_mails(database, now, 30)
    settings = channel_settings(smtp_server.port)
    workers = [dispatcher(database.sessions, settings, clock) for _ in range(3)]
    barrier = threading.Barrier(len(workers))
    reports = []

    def run(worker: object) -> None:
        barrier.wait()
        reports.append(worker.run_once())  # type: ignore[attr-defined]

    threads = [threading.Thread(target=run, args=(worker,)) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    addresses = [message["To"].addresses[0].addr_spec for message in smtp_server.recorder.messages()]
    assert sorted(addresses) == sorted(f"customer{i}@example.org" for i in range(30))
    assert sum(report.sent for report in reports) == 30
    assert all(row.status == "sent" and row.attempts == 1 for row in _rows(database, ids))


def test_a_claimed_row_is_not_claimed_again_until_its_lease_runs_out(
    database: DatabaseUnderTest, now: datetime
) -> None:
    (message_id,) = _queue_mails(database, now, 1)
    policy = delivery.RetryPolicy()
    with database.session() as session:
        first = delivery.claim_message(session, message_id, now, policy)
    with database.session() as session:
        assert first is not None and first.attempts == 1
        assert delivery.claim_message(session, message_id, now, policy) is None
        # The first dispatcher died mid-send: after the lease the row is due again, with the same key.
        again = delivery.claim_message(session, message_id, now + policy.lease, policy)
        assert again is not None and again.attempts == 2
        assert delivery.idempotency_key(again) == delivery.idempotency_key(first)
        # The first dispatcher's late report cannot overwrite the second one's claim.
        assert delivery.mark_sent(session, message_id, 1, now) is False
        assert delivery.mark_sent(session, message_id, 2, now) is True


def test_backoff_doubles_up_to_the_cap_and_gives_up_after_the_last_attempt(
    database: DatabaseUnderTest, clock: Clock, now: datetime
) -> None:
    policy = delivery.RetryPolicy(base=timedelta(minutes=1), cap=timedelta(minutes=5), max_attempts=4)
    assert [policy.delay(n) for n in (1, 2, 3, 4, 60)] == [timedelta(minutes=m) for m in (1, 2, 4, 5, 5)]
    (message_id,) = _queue_mails(database, now, 1)
    worker = dispatcher(database.sessions, channel_settings(free_port(), retry=policy), clock)
    outcomes = []
    for _ in range(4):
        report = worker.run_once()
        outcomes.append((report.retrying, report.failed))
        clock.advance(minutes=10)
    assert outcomes == [(1, 0), (1, 0), (1, 0), (0, 1)]
    (row,) = _rows(database, [message_id])
    assert row.status == "failed" and row.attempts == 4 and row.next_attempt_at is None


def test_header_injection_in_names_and_subjects_is_refused_and_never_sent(
    database: DatabaseUnderTest, process: None, smtp_server: SmtpServer, clock: Clock, now: datetime
) -> None:
    with database.session() as session:
        complaint = open_test_complaint(session, now, name="Eve\r\nBcc: victim@example.org")
        injected_subject = enqueue(
            session,
            now,
            kind="email",
            topic="customer_reply",
            recipient="erika@example.org",
            subject="Hi\nBcc: victim@example.org",
            body="x",
        )
        injected_name = enqueue(
            session,
            now,
            kind="email",
            topic="complaint_received",
            recipient="erika@example.org",
            complaint_id=complaint.id,
        )
        injected_address = enqueue(
            session,
            now,
            kind="email",
            topic="customer_reply",
            subject="ok",
            body="x",
            recipient="erika@example.org\r\nBcc: victim@example.org",
        )
        fine = enqueue(
            session, now, kind="email", topic="customer_reply", recipient="erika@example.org", subject="Fine", body="x"
        )
        session.commit()
        ids = [injected_subject.id, injected_name.id, injected_address.id, fine.id]

    report = dispatcher(database.sessions, channel_settings(smtp_server.port), clock).run_once()

    rows = _rows(database, ids)
    assert (report.sent, report.failed, report.retrying) == (1, 3, 0), [(r.status, r.last_error) for r in rows]
    rows = _rows(database, ids)
    assert [row.status for row in rows] == ["failed", "failed", "failed", "sent"]
    assert "subject" in (rows[0].last_error or "") and "recipient name" in (rows[1].last_error or "")
    assert all("victim" not in str(rcpt) for rcpt, _ in smtp_server.recorder.received)
    assert [message["Subject"] for message in smtp_server.recorder.messages()] == ["Fine"]


def test_a_failed_send_leaves_the_workflow_untouched(
    database: DatabaseUnderTest, process: None, clock: Clock, now: datetime
) -> None:
    with database.session() as session:
        complaint = open_test_complaint(session, now)
        enqueue(
            session,
            now,
            kind="email",
            topic="complaint_received",
            recipient="erika@example.org",
            complaint_id=complaint.id,
            instance_id=complaint.instance_id,
        )
        session.commit()
        instance = session.get(ProcessInstance, complaint.instance_id)
        assert instance is not None
        before = (instance.status, instance.lock_version, instance.state)

    assert dispatcher(database.sessions, channel_settings(free_port()), clock).run_once().retrying == 1

    with database.session() as session:
        instance = session.get(ProcessInstance, complaint.instance_id)
        assert instance is not None
        assert (instance.status, instance.lock_version, instance.state) == before


def test_staff_get_the_in_app_list_and_email_as_they_prefer(
    database: DatabaseUnderTest, process: None, smtp_server: SmtpServer, clock: Clock, now: datetime
) -> None:
    with database.session() as session:
        complaint = open_test_complaint(session, now)
        add_user(session, now, "anna", email_address="anna@example.org", groups=("billing",))
        add_user(session, now, "bernd", email_address="bernd@example.org", groups=("billing",))
        add_user(session, now, "carla", email_address=None, groups=("billing",))
        notices.set_preferences(session, Actor("bernd"), {"sla_reminder": False}, now)
        notices.set_preferences(session, Actor("anna"), {"handover_received": True}, now)
        enqueue(
            session,
            now,
            kind="email",
            topic="sla_reminder",
            recipient="group:billing",
            complaint_id=complaint.id,
            payload={"task_title": "Check invoice"},
        )
        # In-app by the author's choice; anna asked for e-mail about hand-overs as well.
        enqueue(
            session,
            now,
            kind="in_app",
            topic="handover_received",
            recipient="group:billing",
            subject=f"{complaint.reference}: question",
            body="Was it paid twice?",
            complaint_id=complaint.id,
        )
        session.commit()

    report = dispatcher(database.sessions, channel_settings(smtp_server.port), clock).run_once()

    assert report.sent == 2
    received = smtp_server.recorder.messages()
    mails = sorted((m["To"].addresses[0].addr_spec, m["X-Complaintflow-Event"]) for m in received)
    assert mails == [
        ("anna@example.org", "handover_received"),
        ("anna@example.org", "sla_reminder"),
    ]
    with database.session() as session:
        for user in ("anna", "bernd", "carla"):
            listed = notices.list_notifications(session, Actor(user))
            assert sorted(n.topic for n in listed) == ["handover_received", "sla_reminder"], user
        assert notices.unread_count(session, Actor("bernd")) == 2
        first = notices.list_notifications(session, Actor("bernd"))[0]
        anna_ids = [n.id for n in notices.list_notifications(session, Actor("anna"))]
        assert notices.mark_read(session, Actor("bernd"), [first.id, *anna_ids], now) == 1, "only one's own"
        assert notices.unread_count(session, Actor("bernd")) == 1
        assert notices.unread_count(session, Actor("anna")) == 2
        assert notices.preferences(session, Actor("bernd"))["sla_reminder"] is False
        hand_over = session.scalars(
            select(InAppNotification).where(
                InAppNotification.username == "carla", InAppNotification.topic == "handover_received"
            )
        ).one()
        assert hand_over.body == "Was it paid twice?"


def test_an_unknown_recipient_fails_at_once(database: DatabaseUnderTest, clock: Clock, now: datetime) -> None:
    with database.session() as session:
        row = enqueue(session, now, kind="email", topic="task_assigned", recipient="nobody")
        session.commit()
    report = dispatcher(database.sessions, channel_settings(free_port()), clock).run_once()
    assert report.failed == 1
    (stored,) = _rows(database, [row.id])
    assert stored.status == "failed" and "nobody" in (stored.last_error or "")
