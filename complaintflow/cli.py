"""The ``complaintflow`` command line.

Every command opens one session, calls one service and prints a short result. Errors print one line
to stderr and exit non-zero; a traceback is a bug.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from complaintflow.cli_support import acting_user as _actor
from complaintflow.cli_support import app_context as _context
from complaintflow.cli_support import handle_errors
from complaintflow.cli_support import json_option as _json_option
from complaintflow.cli_tasks import print_open_tasks
from complaintflow.context import utcnow
from engine.bpmn.diagnostics import Diagnostic
from engine.bpmn.normalize.pipeline import DiagramRejected
from engine.domain.errors import ComplaintflowError
from engine.services.instances import lifecycle as instances
from engine.store import queries, schema


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
    """Deploy BPMN files (with the DMN files and called processes they need); a directory means its files.

    The same path as ``designer deploy``, the upload page and ``/engine-rest``: the designer checks run
    first, and a file they reject is not deployed (exit 1 with every located problem).
    """
    from designer_export import Upload
    from designer_export.api import deploy_files

    uploads = []
    for path in _deployable_files(files):
        try:
            uploads.append(Upload(str(path), path.read_bytes()))
        except OSError as error:
            raise ComplaintflowError(f"cannot read {path}: {error.strerror}") from None
    with _context(ctx).session() as session:
        try:
            outcome = deploy_files(session, _actor(ctx), uploads, utcnow(), as_executable=as_executable)
        except DiagramRejected as rejected:
            # Every located problem, not only the first: the designer fixes them in one pass.
            for diagnostic in rejected.diagnostics:
                click.echo(f"error: {_located(diagnostic)}", err=True)
            sys.exit(1)
    if not outcome.deployed:
        for report in outcome.reports:
            for diagnostic in report.diagnostics:
                if diagnostic.severity == "error":
                    click.echo(f"error: {_located(diagnostic)}", err=True)
        sys.exit(1)
    for result in outcome.results:
        state = "deployed as" if result.created else "unchanged at"
        what = f"decision {result.process_key}" if result.kind == "decision" else result.process_key
        click.echo(f"{what}: {state} version {result.version}")
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
        print_open_tasks(session, instance.id)
        incident = queries.open_incident(session, instance.id)
        if incident:
            click.echo(f"  incident at {incident.element_id}: {incident.message}")


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
        print_open_tasks(session, instance.id)


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

from complaintflow.cli_tasks import (  # noqa: E402
    assign_command,
    claim_command,
    complete_command,
    tasks_command,
    unclaim_command,
)

for _command in (tasks_command, claim_command, unclaim_command, assign_command, complete_command):
    main.add_command(_command)

from complaintflow.privacy_cli import customer_group, retention_group  # noqa: E402

main.add_command(retention_group)
main.add_command(customer_group)

from complaintflow.instance_control_cli import COMMANDS as _instance_commands  # noqa: E402

for _command in _instance_commands:
    main.add_command(_command)

from complaintflow.dmn_cli import dmn_group  # noqa: E402

main.add_command(dmn_group)

from complaintflow.regulation_cli import regulation_group  # noqa: E402

main.add_command(regulation_group)

if __name__ == "__main__":
    main()
