"""After a load or chaos run: was anything lost or done twice? Read from the database, not from the app."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, text


def percentile(samples: list[float], p: float) -> float:
    """The p-th percentile of latencies in seconds, in milliseconds (nearest rank); 0 for none."""
    if not samples:
        return 0.0
    ordered = sorted(samples)
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered)) - 1))
    return ordered[rank] * 1000


def _json(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else json.loads(value or "{}")


def _wait_for_outbox(engine: Engine, seconds: float = 90) -> tuple[int, int]:
    """Outbox rows still pending after waiting for the dispatchers: (overdue, retry scheduled later). A send
    that failed (for example while PostgreSQL restarted) waits for its back-off: that is not lost."""
    deadline = time.monotonic() + seconds
    while True:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT next_attempt_at FROM outbox_message WHERE status = 'pending'")
            ).scalars().all()  # fmt: skip
        now = datetime.now(UTC)
        later = sum(1 for due in rows if due is not None and aware(due) > now)
        if len(rows) == later or time.monotonic() > deadline:
            return len(rows) - later, later
        time.sleep(1)


def aware(moment: datetime | str) -> datetime:
    """A timestamp read with a plain SQL query (SQLite gives text, PostgreSQL datetimes), as aware UTC."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def check_nothing_lost(
    engine: Engine, accepted_subjects: list[str], completed_tasks: list[str], mails_by_message_id: dict[str, int]
) -> list[str]:
    """Problems found: complaints lost or stored twice, tasks completed twice, timers fired twice, mails lost
    or sent twice. Prints the counts it compared."""
    problems: list[str] = []
    pending, retrying = _wait_for_outbox(engine)
    with engine.connect() as connection:
        stored: dict[str, int] = dict(connection.execute(text(
            "SELECT subject, count(*) FROM complaint WHERE subject LIKE 'load-%' GROUP BY subject"
        )).all())  # fmt: skip
        completions: dict[str, int] = dict(connection.execute(text(
            "SELECT task_id, count(*) FROM audit_entry WHERE action = 'task_completed' GROUP BY task_id"
        )).all())  # fmt: skip
        fired = connection.execute(text(
            "SELECT instance_id, element_id, after FROM audit_entry WHERE action = 'timer_fired'"
        )).all()  # fmt: skip
        sent_rows = connection.execute(text(
            "SELECT count(*) FROM outbox_message WHERE kind = 'email' AND status = 'sent'"
        )).scalar() or 0  # fmt: skip
    lost = [subject for subject in accepted_subjects if subject not in stored]
    doubled = [subject for subject, count in stored.items() if count > 1]
    unanswered = len(stored) - len(set(accepted_subjects))
    print(f"complaints: {len(set(accepted_subjects))} confirmed to customers, {len(stored)} stored "
          f"({unanswered} stored whose answer did not reach the customer), "
          f"{len(lost)} lost, {len(doubled)} twice")  # fmt: skip
    if lost:
        problems.append(f"{len(lost)} confirmed complaints not stored")
    if doubled:
        problems.append(f"{len(doubled)} complaints stored twice")
    twice = [task for task, count in completions.items() if count > 1]
    missing = [task for task in set(completed_tasks) if task not in completions]
    print(f"task completions: {len(set(completed_tasks))} confirmed to agents, {len(completions)} recorded, "
          f"{len(missing)} lost, {len(twice)} twice")  # fmt: skip
    if twice or missing:
        problems.append(f"task completions: {len(missing)} lost, {len(twice)} twice")
    # The same timer (instance, element, due time) fired twice is a double firing; a cycle's next due time is not.
    keys = [(row.instance_id, row.element_id, _json(row.after).get("due_at")) for row in fired]
    timer_repeats = len(keys) - len(set(keys))
    print(f"timers fired: {len(keys)}, fired twice: {timer_repeats}")
    if timer_repeats:
        problems.append(f"{timer_repeats} timers fired twice")
    delivered = len(mails_by_message_id)
    repeats = sum(count - 1 for count in mails_by_message_id.values() if count > 1)
    print(f"mails: {sent_rows} outbox rows sent, {delivered} distinct Message-IDs received, "
          f"{repeats} repeats of a Message-ID (a send whose booking was cut off), {pending} overdue, "
          f"{retrying} waiting for their retry")  # fmt: skip
    if delivered < sent_rows:
        problems.append(f"{sent_rows - delivered} mails booked as sent but not received")
    if pending:
        problems.append(f"{pending} outbox rows overdue and not sent after 90 s")
    return problems
