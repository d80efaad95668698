"""``complaintflow demo-data``: example complaints at every stage of the shipped process, so the UI has content.

The data set (examples/demo_complaints.json) describes each complaint and the steps taken on it, in hours
after its opening; the complaint is opened that many hours before *now*. Every step goes through the
same services an agent or the customer portal uses (open, claim, complete, message, timers), so what the
UI shows is real process state, audit trail and outbox included. A complaint is identified by customer
name and subject: running the command again skips complaints that already exist.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from complaintflow.context import AppContext, make_context, utcnow
from complaintflow.demo_library import load_library
from engine.domain.actors import SYSTEM, Actor, make_actor
from engine.domain.errors import ComplaintflowError
from engine.domain.roles import ROLE_ADMIN
from engine.services.casework import tasks
from engine.services.designer import deployment
from engine.services.instances import lifecycle as instances
from engine.services.instances import timers
from engine.services.intake.complaints import NewComplaint, open_complaint
from engine.store import queries, schema
from engine.store.complaints import Complaint, Customer
from engine.store.models import TIMER_PENDING, PendingTimerRow, ProcessInstance
from processes import MAIN_PROCESS, process_files

DEFAULT_FILE = Path(__file__).resolve().parents[1] / "examples" / "demo_complaints.json"
# A small process whose demo instance stops with an incident the cockpit can fix (order_count 0, then 3).
INCIDENT_EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "goodwill_voucher.bpmn"
INCIDENT_PROCESS = "goodwill_voucher"
INCIDENT_KEY = "GV-DEMO-1"
OPERATOR = Actor("demo", roles=frozenset({ROLE_ADMIN}))
COMPLAINT_FIELDS = {
    "customer_name",
    "subject",
    "description",
    "channel",
    "customer_email",
    "customer_phone",
    "customer_segment",
    "category",
    "product",
    "product_group",
    "order_ref",
    "amount_disputed",
    "explicit",
    "language",
}


@dataclass(frozen=True)
class Loaded:
    """What happened to one complaint of the data set."""

    key: str
    stage: str
    reference: str
    created: bool


def read_data_set(path: Path) -> dict[str, Any]:
    """The data set as a dict; errors name the file."""
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ComplaintflowError(f"cannot read {path}: {error.strerror}") from None
    except json.JSONDecodeError as error:
        raise ComplaintflowError(f"{path} is not valid JSON: {error.msg} (line {error.lineno})") from None
    if not isinstance(data.get("complaints"), list) or not isinstance(data.get("actors"), dict):
        raise ComplaintflowError(f"{path} needs the keys 'actors' and 'complaints'")
    return data


def ensure_library(session: Session, now: datetime) -> bool:
    """Deploy the shipped processes unless the main process is deployed already; True if it deployed."""
    if queries.latest_definition(session, MAIN_PROCESS) is not None:
        return False
    uploads = [deployment.decode_upload(path.name, path.read_bytes()) for path in process_files()]
    deployment.deploy(session, OPERATOR, uploads, now)
    return True


def _existing(session: Session, name: str, subject: str) -> Complaint | None:
    return session.scalars(
        select(Complaint).join(Customer).where(Customer.name == name, Complaint.subject == subject)
    ).first()


def _new_complaint(fields: dict[str, Any]) -> NewComplaint:
    unknown = set(fields) - COMPLAINT_FIELDS
    if unknown:
        raise ComplaintflowError(f"unknown complaint field(s): {', '.join(sorted(unknown))}")
    values = dict(fields)
    if values.get("amount_disputed") is not None:
        values["amount_disputed"] = Decimal(str(values["amount_disputed"]))
    return NewComplaint(**values)


def _values(data: dict[str, Any], at: datetime) -> dict[str, Any]:
    """Form data with relative dates resolved: ``"$date+3"`` is the date three days after the step."""
    resolved = {}
    for key, value in data.items():
        if isinstance(value, str) and value.startswith("$date"):
            value = (at + timedelta(days=int(value[5:] or 0))).date().isoformat()
        resolved[key] = value
    return resolved


def _fire_instance_timers(session: Session, instance_id: int, at: datetime) -> None:
    """Fire this complaint's due timers only (the global sweep would also move other demo complaints)."""
    while True:
        due = session.scalars(
            select(PendingTimerRow.id)
            .where(
                PendingTimerRow.instance_id == instance_id,
                PendingTimerRow.status == TIMER_PENDING,
                PendingTimerRow.due_at <= at,
            )
            .order_by(PendingTimerRow.due_at)
            .limit(1)
        ).first()
        if due is None or not timers.fire_timer(session, due, at, SYSTEM):
            return


def _open_task_id(session: Session, instance_id: int, element_id: str) -> str:
    open_tasks = [
        task
        for task in queries.list_tasks(session, queries.TaskFilter(instance_id=instance_id))
        if task.element_id == element_id
    ]
    if len(open_tasks) != 1:
        raise ComplaintflowError(f"expected one open task {element_id!r}, found {len(open_tasks)}")
    return open_tasks[0].id


def _run_step(
    session: Session, complaint: Complaint, step: dict[str, Any], at: datetime, actors: dict[str, Actor]
) -> None:
    assert complaint.instance_id is not None
    action = step.get("do")
    actor = actors.get(step.get("as", ""), OPERATOR)
    if action == "claim":
        tasks.claim_task(session, actor, _open_task_id(session, complaint.instance_id, step["task"]), at)
    elif action == "complete":
        task_id = _open_task_id(session, complaint.instance_id, step["task"])
        tasks.complete_task(session, actor, task_id, _values(step.get("data", {}), at), at)
    elif action == "message":
        instances.deliver_message(session, actor, step["message"], complaint.reference, step.get("data", {}), at)
    elif action == "timers":
        _fire_instance_timers(session, complaint.instance_id, at)
    else:
        raise ComplaintflowError(f"unknown step {action!r} (claim, complete, message, timers)")


def load_complaint(session: Session, entry: dict[str, Any], actors: dict[str, Actor], now: datetime) -> Loaded:
    """Open one complaint in the past and replay its steps; skipped if it exists already."""
    key, fields = entry["key"], entry["complaint"]
    existing = _existing(session, fields["customer_name"], fields["subject"])
    if existing is not None:
        return Loaded(key, entry["stage"], existing.reference, created=False)
    opened_at = now - timedelta(hours=float(entry["opened_hours_ago"]))
    opener = actors.get(entry.get("opened_by", ""), OPERATOR)
    complaint = open_complaint(session, opener, _new_complaint(fields), MAIN_PROCESS, opened_at)
    for step in entry.get("steps", []):
        at = opened_at + timedelta(hours=float(step["at"]))
        if at > now:
            raise ComplaintflowError(f"{key}: step at {step['at']} h lies after now")
        try:
            _run_step(session, complaint, step, at, actors)
        except ComplaintflowError as error:
            raise ComplaintflowError(f"{key}: {step.get('do')} {step.get('task', '')}: {error}") from None
    # Whatever fell due since (reminders, escalations, ended periods) has happened by now.
    assert complaint.instance_id is not None
    _fire_instance_timers(session, complaint.instance_id, now)
    return Loaded(key, entry["stage"], complaint.reference, created=True)


def load_incident_example(session: Session, now: datetime) -> int | None:
    """Deploy the goodwill voucher example and start its demo instance, which stops with an incident.

    The instance divides the voucher by an order count of 0: the cockpit shows the incident, and a manager
    sets ``order_count`` and retries. Returns the new instance's id, None when it exists already.
    """
    if queries.latest_definition(session, INCIDENT_PROCESS) is None:
        upload = deployment.decode_upload(INCIDENT_EXAMPLE.name, INCIDENT_EXAMPLE.read_bytes())
        deployment.deploy(session, OPERATOR, [upload], now)
    existing = select(ProcessInstance.id).where(ProcessInstance.business_key == INCIDENT_KEY)
    if session.scalars(existing).first() is not None:
        return None
    data = {"customer_name": "Sabine Sommer", "voucher_total": 60, "order_count": 0}
    return instances.start_instance(session, OPERATOR, INCIDENT_PROCESS, data, now, business_key=INCIDENT_KEY).id


def load_demo(session: Session, path: Path, now: datetime) -> list[Loaded]:
    """Deploy the library if needed and load every complaint of the data set."""
    data = read_data_set(path)
    actors = {
        name: make_actor(name, spec.get("groups", []), spec.get("roles", [])) for name, spec in data["actors"].items()
    }
    ensure_library(session, now)
    return [load_complaint(session, entry, actors, now) for entry in data["complaints"]]


@click.command("demo-data")
@click.option(
    "--file",
    "path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_FILE,
    show_default=True,
    help="The data set to load.",
)
@click.option("--now", "now_text", metavar="ISO", help="Pretend it is this time (default: the real clock).")
@click.pass_context
def demo_data_command(ctx: click.Context, path: Path, now_text: str | None) -> None:
    """Load example complaints at every stage (deploys processes/ first if needed; safe to run twice)."""
    root = ctx.find_root()
    if root.obj is None:
        root.obj = make_context()
    context: AppContext = root.obj
    try:
        now = datetime.fromisoformat(now_text) if now_text else utcnow()
        if now.tzinfo is None:
            raise ValueError("--now needs a time zone, e.g. 2026-11-23T09:00:00+00:00")
        schema.upgrade(context.engine)
        with context.session() as session:
            loaded = load_demo(session, path, now)
            for item in loaded:
                complaint = session.scalars(select(Complaint).where(Complaint.reference == item.reference)).one()
                state = "loaded " if item.created else "exists "
                click.echo(f"{state} {item.reference}  {item.stage:<22} status={complaint.status}  {complaint.subject}")
        with context.session() as session:
            templates, articles = load_library(session, now)
        with context.session() as session:
            incident = load_incident_example(session, now)
    except (ComplaintflowError, ValueError) as error:
        click.echo(f"error: {error}", err=True)
        raise SystemExit(1) from None
    created = sum(item.created for item in loaded)
    click.echo(f"{created} complaint(s) loaded, {len(loaded) - created} already there")
    click.echo(f"{templates} reply template(s) and {articles} knowledge-base article(s) added")
    if incident is not None:
        click.echo(f"instance {incident} ({INCIDENT_PROCESS}) stopped with an incident to fix in the cockpit")
    click.echo("sign in with the demo users (complaintflow demo-users): agent, lead, dept, ... password demo")
