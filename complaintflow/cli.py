"""The ``complaintflow`` command line.

Every command opens one session, calls one service and prints a short result. Errors print one line
to stderr and exit non-zero; a traceback is a bug.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from complaintflow.context import AppContext, make_context, utcnow
from engine.domain.actors import ROLE_ADMIN, Actor, make_actor
from engine.domain.errors import ComplaintflowError, FormValidationError
from engine.runtime.diagnostics import Diagnostic
from engine.runtime.normalize import DiagramRejected
from engine.services import deployment, instances, tasks
from engine.store import queries, schema

F = TypeVar("F", bound=Callable[..., Any])


def _fail(message: str, code: int = 1) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def handle_errors(function: F) -> F:
    """Turn expected errors into one clear line and exit code 1."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except FormValidationError as error:
            click.echo("error: the form data is invalid:", err=True)
            for field, message in error.errors.items():
                click.echo(f"  {field or 'data'}: {message}", err=True)
            sys.exit(1)
        except ComplaintflowError as error:
            _fail(str(error))
        except Exception as error:  # noqa: BLE001 - the CLI promises one line, never a traceback
            _fail(f"{type(error).__name__}: {error}", code=3)

    return wrapper  # type: ignore[return-value]


def _json_option(text: str | None, what: str) -> dict[str, Any]:
    if not text:
        return {}
    if text.startswith("@"):
        try:
            text = Path(text[1:]).read_text(encoding="utf-8")
        except OSError as error:
            raise ComplaintflowError(f"cannot read {what} file: {error.strerror}") from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise ComplaintflowError(f"{what} is not valid JSON: {error.msg} at position {error.pos}") from None
    if not isinstance(value, dict):
        raise ComplaintflowError(f"{what} must be a JSON object")
    return value


def _actor(ctx: click.Context) -> Actor:
    options = ctx.find_root().params
    if options.get("as_user"):
        return make_actor(options["as_user"], options.get("groups") or (), options.get("roles") or ())
    return Actor("cli", roles=frozenset({ROLE_ADMIN}))


def _context(ctx: click.Context) -> AppContext:
    if ctx.obj is None:
        ctx.obj = make_context()
    context: AppContext = ctx.obj
    return context


@click.group()
@click.option("--as-user", "as_user", metavar="NAME", help="Act as this user (default: 'cli' with admin rights).")
@click.option("--group", "groups", multiple=True, metavar="GROUP", help="Group of --as-user (repeatable).")
@click.option("--role", "roles", multiple=True, metavar="ROLE", help="Role of --as-user (repeatable).")
@click.pass_context
def main(ctx: click.Context, as_user: str | None, groups: tuple[str, ...], roles: tuple[str, ...]) -> None:
    """complaintflow: complaint management on a BPMN engine."""


@main.command("init-db")
@click.pass_context
@handle_errors
def init_db(ctx: click.Context) -> None:
    """Create or upgrade the database schema (Alembic)."""
    context = _context(ctx)
    schema.upgrade(context.engine)
    click.echo(f"database ready at revision {schema.current_revision(context.engine)}")


DEPLOYABLE_SUFFIXES = (".bpmn", ".dmn", ".xml")


def _deployable_files(paths: tuple[Path, ...]) -> list[Path]:
    """Directories stand for their BPMN/DMN files; other files (README.md, ...) are skipped with a note.

    So ``complaintflow deploy processes/*`` deploys the process library as the shell expands it.
    """
    files = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.suffix.lower() in (".bpmn", ".dmn"))
        elif path.suffix.lower() in DEPLOYABLE_SUFFIXES or not path.exists():
            files.append(path)
        else:
            click.echo(f"skipped {path}: not a BPMN or DMN file", err=True)
    if not files:
        raise ComplaintflowError("no BPMN or DMN files to deploy")
    return files


@main.command("deploy")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--as-executable",
    is_flag=True,
    help="Also deploy descriptive diagrams (isExecutable=false): plain tasks become human tasks in their lane.",
)
@click.pass_context
@handle_errors
def deploy_command(ctx: click.Context, files: tuple[Path, ...], as_executable: bool) -> None:
    """Deploy BPMN files (with the DMN files and called processes they need); a directory means its files."""
    uploads = []
    for path in _deployable_files(files):
        try:
            data = path.read_bytes()
        except OSError as error:
            raise ComplaintflowError(f"cannot read {path}: {error.strerror}") from None
        uploads.append(deployment.decode_upload(path.name, data))
    with _context(ctx).session() as session:
        try:
            results = deployment.deploy(session, _actor(ctx), uploads, utcnow(), as_executable=as_executable)
        except DiagramRejected as rejected:
            # Every located problem, not only the first: the designer fixes them in one pass.
            for diagnostic in rejected.diagnostics:
                click.echo(f"error: {_located(diagnostic)}", err=True)
            sys.exit(1)
    for result in results:
        state = "deployed as" if result.created else "unchanged at"
        click.echo(f"{result.process_key}: {state} version {result.version}")
        for diagnostic in result.diagnostics:
            click.echo(f"  {diagnostic.severity}: {_located(diagnostic)}")


def _located(diagnostic: Diagnostic) -> str:
    where = ", ".join(
        part
        for part in (
            diagnostic.file or "",
            f"line {diagnostic.line}" if diagnostic.line else "",
            f"{diagnostic.element_type or 'element'} {diagnostic.element_id}" if diagnostic.element_id else "",
        )
        if part
    )
    hint = f" Hint: {diagnostic.hint}" if diagnostic.hint else ""
    return f"{diagnostic.message} ({where}).{hint}" if where else f"{diagnostic.message}.{hint}"


@main.command("start")
@click.argument("process_key")
@click.option("--data", "data_text", metavar="JSON", help="Initial data, a JSON object (or @file.json).")
@click.option("--business-key", metavar="KEY", help="Correlation key, e.g. the complaint number.")
@click.option("--version", "version", type=int, help="Start this version instead of the latest.")
@click.pass_context
@handle_errors
def start_command(
    ctx: click.Context, process_key: str, data_text: str | None, business_key: str | None, version: int | None
) -> None:
    """Start an instance of a deployed process."""
    data = _json_option(data_text, "--data")
    with _context(ctx).session() as session:
        instance = instances.start_instance(
            session, _actor(ctx), process_key, data, utcnow(), business_key=business_key, version=version
        )
        click.echo(f"instance {instance.id} started ({instance.status})")
        _print_open_tasks(session, instance.id)
        incident = queries.open_incident(session, instance.id)
        if incident:
            click.echo(f"  incident at {incident.element_id}: {incident.message}")


def _print_open_tasks(session: Any, instance_id: int) -> None:
    for task in queries.list_tasks(session, queries.TaskFilter(instance_id=instance_id)):
        click.echo(
            f"  task {task.id}  {task.title}  groups={','.join(task.candidate_groups) or '-'}"
            f"  assignee={task.assignee or '-'}"
        )


@main.command("tasks")
@click.option("--user", help="Tasks assigned to or claimable by this user.")
@click.option("--group", "groups", multiple=True, help="Tasks of this candidate group (repeatable).")
@click.option("--instance", "instance_id", type=int, help="Tasks of one instance.")
@click.option("--status", default="open", show_default=True, type=click.Choice(["open", "completed", "cancelled"]))
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines.")
@click.pass_context
@handle_errors
def tasks_command(
    ctx: click.Context,
    user: str | None,
    groups: tuple[str, ...],
    instance_id: int | None,
    status: str,
    as_json: bool,
) -> None:
    """List human tasks, by due time."""
    criteria = queries.TaskFilter(user=user, groups=groups, instance_id=instance_id, status=status)
    with _context(ctx).session() as session:
        rows = queries.list_tasks(session, criteria)
        for task in rows:
            if as_json:
                click.echo(
                    json.dumps(
                        {
                            "id": task.id,
                            "instance_id": task.instance_id,
                            "element_id": task.element_id,
                            "title": task.title,
                            "lane": task.lane,
                            "groups": task.candidate_groups,
                            "users": task.candidate_users,
                            "assignee": task.assignee,
                            "priority": task.priority,
                            "created_at": task.created_at.isoformat(),
                            "due_at": task.due_at.isoformat() if task.due_at else None,
                            "status": task.status,
                            "form": task.form,
                        }
                    )
                )
            else:
                due = task.due_at.strftime("%Y-%m-%d %H:%M") if task.due_at else "-"
                click.echo(
                    f"{task.id}  instance {task.instance_id}  {task.title}  due {due}  "
                    f"prio {task.priority}  groups={','.join(task.candidate_groups) or '-'}  "
                    f"assignee={task.assignee or '-'}"
                )
        if not rows and not as_json:
            click.echo("no tasks")


@main.command("complete")
@click.argument("task_id")
@click.option("--data", "data_text", metavar="JSON", help="Form values, a JSON object (or @file.json).")
@click.pass_context
@handle_errors
def complete_command(ctx: click.Context, task_id: str, data_text: str | None) -> None:
    """Complete a human task with form data."""
    data = _json_option(data_text, "--data")
    with _context(ctx).session() as session:
        task = tasks.complete_task(session, _actor(ctx), task_id, data, utcnow())
        instance = instances.get_instance(session, task.instance_id)
        click.echo(f"task {task.id} completed; instance {instance.id} is {instance.status}")
        _print_open_tasks(session, instance.id)
        incident = queries.open_incident(session, instance.id)
        if incident:
            click.echo(f"  incident at {incident.element_id}: {incident.message}")


@main.command("claim")
@click.argument("task_id")
@click.pass_context
@handle_errors
def claim_command(ctx: click.Context, task_id: str) -> None:
    """Claim a task for the acting user."""
    with _context(ctx).session() as session:
        task = tasks.claim_task(session, _actor(ctx), task_id, utcnow())
    click.echo(f"task {task.id} claimed by {task.assignee}")


@main.command("unclaim")
@click.argument("task_id")
@click.pass_context
@handle_errors
def unclaim_command(ctx: click.Context, task_id: str) -> None:
    """Hand a task back to its group."""
    with _context(ctx).session() as session:
        task = tasks.unclaim_task(session, _actor(ctx), task_id, utcnow())
    click.echo(f"task {task.id} is unassigned")


@main.command("assign")
@click.argument("task_id")
@click.argument("assignee")
@click.pass_context
@handle_errors
def assign_command(ctx: click.Context, task_id: str, assignee: str) -> None:
    """Assign a task to a user (team leads and admins)."""
    with _context(ctx).session() as session:
        task = tasks.assign_task(session, _actor(ctx), task_id, assignee, utcnow())
    click.echo(f"task {task.id} assigned to {task.assignee}")


@main.command("instances")
@click.option("--status", type=click.Choice(["running", "waiting", "completed", "incident"]))
@click.option("--process", "process_key", help="Only instances of this process.")
@click.pass_context
@handle_errors
def instances_command(ctx: click.Context, status: str | None, process_key: str | None) -> None:
    """List process instances, newest first."""
    with _context(ctx).session() as session:
        rows = queries.list_instances(session, status=status, process_key=process_key)
        for instance in rows:
            line = (
                f"{instance.id}  {instance.definition.process_key} v{instance.definition.version}  "
                f"{instance.status}  key={instance.business_key or '-'}  "
                f"started {instance.started_at:%Y-%m-%d %H:%M} by {instance.started_by}"
            )
            incident = queries.open_incident(session, instance.id) if instance.status == "incident" else None
            if incident:
                line += f"  incident at {incident.element_id}: {incident.message}"
            click.echo(line)
        if not rows:
            click.echo("no instances")


@main.command("retry")
@click.argument("instance_id", type=int)
@click.option("--data", "data_text", metavar="JSON", help="Variables to set on the failed step before retrying.")
@click.pass_context
@handle_errors
def retry_command(ctx: click.Context, instance_id: int, data_text: str | None) -> None:
    """Run the failed step of an instance with an incident again."""
    data = _json_option(data_text, "--data")
    with _context(ctx).session() as session:
        instance = instances.retry_instance(session, _actor(ctx), instance_id, utcnow(), data or None)
        click.echo(f"instance {instance.id} is {instance.status}")
        incident = queries.open_incident(session, instance.id)
        if incident:
            click.echo(f"  still failing at {incident.element_id}: {incident.message}")
        _print_open_tasks(session, instance.id)


@main.command("message")
@click.argument("message_name")
@click.option("--key", "correlation_key", required=True, help="Business key of the instance (complaint id).")
@click.option("--data", "data_text", metavar="JSON", help="Message payload, a JSON object.")
@click.pass_context
@handle_errors
def message_command(ctx: click.Context, message_name: str, correlation_key: str, data_text: str | None) -> None:
    """Deliver a message (e.g. customer_info_received) to the waiting instance."""
    payload = _json_option(data_text, "--data")
    with _context(ctx).session() as session:
        delivered = instances.deliver_message(session, _actor(ctx), message_name, correlation_key, payload, utcnow())
    click.echo(f"message {message_name} delivered to instance(s) {', '.join(map(str, delivered))}")


@main.command("history")
@click.argument("instance_id", type=int)
@click.pass_context
@handle_errors
def history_command(ctx: click.Context, instance_id: int) -> None:
    """Show the audit trail of an instance."""
    with _context(ctx).session() as session:
        instances.get_instance(session, instance_id)
        for entry in queries.audit_trail(session, instance_id):
            detail = entry.message or ""
            if entry.after:
                detail = f"{detail} {json.dumps(entry.after, ensure_ascii=False)}".strip()
            click.echo(
                f"{entry.at:%Y-%m-%d %H:%M:%S}  {entry.actor:<12} {entry.action:<20} {entry.element_id or ''}  {detail}"
            )


from complaintflow.web import create_user_command, demo_users_command, run_command, serve_command  # noqa: E402

main.add_command(run_command)
main.add_command(serve_command)
main.add_command(create_user_command)
main.add_command(demo_users_command)

from complaintflow.scheduler import scheduler_command  # noqa: E402

main.add_command(scheduler_command)

from complaintflow.designer_cli import designer  # noqa: E402

main.add_command(designer)


from complaintflow.channels_cli import api_token_group, dispatch_command, mail_intake_command, webhooks_group  # noqa: E402

main.add_command(dispatch_command)
main.add_command(webhooks_group)
main.add_command(mail_intake_command)
main.add_command(api_token_group)

from complaintflow.demo import demo_data_command  # noqa: E402

main.add_command(demo_data_command)

if __name__ == "__main__":
    main()
