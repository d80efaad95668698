"""Human task commands: list, claim, unclaim, assign and complete."""

from __future__ import annotations

import json
from typing import Any

import click

from complaintflow.cli_support import acting_user as _actor
from complaintflow.cli_support import app_context as _context
from complaintflow.cli_support import handle_errors
from complaintflow.cli_support import json_option as _json_option
from complaintflow.context import utcnow
from engine.services.casework import tasks
from engine.services.instances import lifecycle as instances
from engine.store import queries


def print_open_tasks(session: Any, instance_id: int) -> None:
    """One line per open task of an instance (after start, complete, retry)."""
    for task in queries.list_tasks(session, queries.TaskFilter(instance_id=instance_id)):
        click.echo(
            f"  task {task.id}  {task.title}  groups={','.join(task.candidate_groups) or '-'}"
            f"  assignee={task.assignee or '-'}"
        )


@click.command("tasks")
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


@click.command("complete")
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
        print_open_tasks(session, instance.id)
        incident = queries.open_incident(session, instance.id)
        if incident:
            click.echo(f"  incident at {incident.element_id}: {incident.message}")


@click.command("claim")
@click.argument("task_id")
@click.pass_context
@handle_errors
def claim_command(ctx: click.Context, task_id: str) -> None:
    """Claim a task for the acting user."""
    with _context(ctx).session() as session:
        task = tasks.claim_task(session, _actor(ctx), task_id, utcnow())
    click.echo(f"task {task.id} claimed by {task.assignee}")


@click.command("unclaim")
@click.argument("task_id")
@click.pass_context
@handle_errors
def unclaim_command(ctx: click.Context, task_id: str) -> None:
    """Hand a task back to its group."""
    with _context(ctx).session() as session:
        task = tasks.unclaim_task(session, _actor(ctx), task_id, utcnow())
    click.echo(f"task {task.id} is unassigned")


@click.command("assign")
@click.argument("task_id")
@click.argument("assignee")
@click.pass_context
@handle_errors
def assign_command(ctx: click.Context, task_id: str, assignee: str) -> None:
    """Assign a task to a user (team leads and admins)."""
    with _context(ctx).session() as session:
        task = tasks.assign_task(session, _actor(ctx), task_id, assignee, utcnow())
    click.echo(f"task {task.id} assigned to {task.assignee}")
