"""``complaintflow suspend / resume / cancel INSTANCE_ID``: the cockpit's instance actions from the shell."""

from __future__ import annotations

import click

from complaintflow.cli_support import acting_user, app_context, handle_errors
from complaintflow.cli_tasks import print_open_tasks
from complaintflow.context import utcnow
from engine.services.instances import control as instance_control


@click.command("suspend")
@click.argument("instance_id", type=int)
@click.option("--reason", help="Why (kept in the audit trail).")
@click.pass_context
@handle_errors
def suspend_command(ctx: click.Context, instance_id: int, reason: str | None) -> None:
    """Hold an instance: no timer fires, its tasks cannot be claimed or completed, messages are kept."""
    with app_context(ctx).session() as session:
        instance = instance_control.suspend_instance(session, acting_user(ctx), instance_id, utcnow(), reason)
        click.echo(f"instance {instance.id} is {instance.status}")


@click.command("resume")
@click.argument("instance_id", type=int)
@click.pass_context
@handle_errors
def resume_command(ctx: click.Context, instance_id: int) -> None:
    """Let a suspended instance go on; timers that fell due meanwhile fire now, kept messages are delivered."""
    with app_context(ctx).session() as session:
        instance = instance_control.resume_instance(session, acting_user(ctx), instance_id, utcnow())
        click.echo(f"instance {instance.id} is {instance.status}")
        print_open_tasks(session, instance.id)


@click.command("cancel")
@click.argument("instance_id", type=int)
@click.option("--reason", required=True, help="Why the instance ends (required, kept in the audit trail).")
@click.pass_context
@handle_errors
def cancel_command(ctx: click.Context, instance_id: int, reason: str) -> None:
    """End an instance for good: tasks and timers are cancelled, its complaint is closed."""
    with app_context(ctx).session() as session:
        instance = instance_control.cancel_instance(session, acting_user(ctx), instance_id, reason, utcnow())
        click.echo(f"instance {instance.id} is {instance.status}")


COMMANDS = (suspend_command, resume_command, cancel_command)
