"""``complaintflow designer`` commands around deployed versions: list, export, diff, diagram, templates, migrate."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from complaintflow.context import make_context, utcnow
from designer_export import api as designer_api
from engine.domain.actors import Actor, make_actor
from engine.domain.errors import ComplaintflowError
from engine.domain.roles import ROLE_ADMIN
from engine.services.designer.migration import MigrationProgress

F = TypeVar("F", bound=Callable[..., Any])


def _actor(ctx: click.Context) -> Actor:
    options = ctx.find_root().params
    if options.get("as_user"):
        return make_actor(options["as_user"], options.get("groups") or (), options.get("roles") or ())
    return Actor("cli", roles=frozenset({ROLE_ADMIN}))


def _errors_as_one_line(function: F) -> F:
    """Expected errors become one line on stderr and exit code 1, never a traceback."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except ComplaintflowError as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(1)
        except OSError as error:
            click.echo(f"error: {error.strerror or error}: {getattr(error, 'filename', '')}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


@click.command("versions")
@click.argument("process_key", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines.")
@_errors_as_one_line
def versions_command(process_key: str | None, as_json: bool) -> None:
    """List deployed versions (of one process, or of all), newest first, with running instances."""
    with make_context().session() as session:
        rows = designer_api.list_versions(session, process_key)
    for row in rows:
        if as_json:
            data = {**vars(row), "deployed_at": row.deployed_at.isoformat(), "files": list(row.files)}
            click.echo(json.dumps(data, ensure_ascii=False))
        else:
            marker = " (normalised on import)" if row.normalized else ""
            click.echo(
                f"{row.process_key} v{row.version}  {row.name}  deployed {row.deployed_at:%Y-%m-%d %H:%M} "
                f"by {row.deployed_by}  running {row.running_instances}  files {', '.join(row.files)}{marker}"
            )
    if not rows:
        click.echo("no deployed processes")


@click.command("export")
@click.argument("process_key")
@click.option("--version", type=int, help="Version to export (default: latest).")
@click.option("--output", "-o", "directory", type=click.Path(file_okay=False, path_type=Path), default=Path("."))
@click.option("--as-run", is_flag=True, help="Export the normalised files the engine runs, not the upload.")
@click.option("--force", is_flag=True, help="Overwrite existing files.")
@_errors_as_one_line
def export_command(process_key: str, version: int | None, directory: Path, as_run: bool, force: bool) -> None:
    """Write a version's files exactly as uploaded (they open again in the modeller)."""
    with make_context().session() as session:
        files = designer_api.download(session, process_key, version, as_uploaded=not as_run)
    directory.mkdir(parents=True, exist_ok=True)
    for filename, content in files:
        target = directory / Path(filename).name
        if target.exists() and not force:
            raise ComplaintflowError(f"{target} exists (use --force to overwrite)")
        target.write_text(content, encoding="utf-8")
        click.echo(str(target))


@click.command("diff")
@click.argument("process_key")
@click.argument("old_version", type=int)
@click.argument("new_version", type=int)
@click.option("--json", "as_json", is_flag=True)
@_errors_as_one_line
def diff_command(process_key: str, old_version: int, new_version: int, as_json: bool) -> None:
    """Elements added (+), removed (-) and changed (~) between two versions."""
    with make_context().session() as session:
        result = designer_api.diff(session, process_key, old_version, new_version)
    click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2) if as_json else result.text())


@click.command("diagram")
@click.argument("instance_id", type=int)
@click.option("--output", "-o", "target", type=click.Path(dir_okay=False, path_type=Path), help="Default: stdout.")
@_errors_as_one_line
def diagram_command(instance_id: int, target: Path | None) -> None:
    """An instance's diagram as SVG: completed, active, waiting and failed elements marked."""
    with make_context().session() as session:
        svg = designer_api.instance_svg(session, instance_id, utcnow())
    if target:
        target.write_text(svg, encoding="utf-8")
    else:
        click.echo(svg)


@click.command("templates")
@click.option("--output", "-o", "target", type=click.Path(dir_okay=False, path_type=Path), help="Default: stdout.")
def templates_command(target: Path | None) -> None:
    """Camunda Modeler element templates for the system actions (put the file in resources/element-templates)."""
    text = designer_api.element_templates_json()
    if target:
        target.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


def _progress_line(progress: MigrationProgress) -> None:
    rate = progress.rate
    left = f", about {progress.remaining / rate:.0f} s left" if rate > 0 and progress.remaining else ""
    click.echo(
        f"\r{progress.done}/{progress.total} done, {progress.moved} moved, {len(progress.failed)} not moved, "
        f"{rate:.1f}/s, {progress.remaining} remaining{left}",
        err=True,
        nl=progress.remaining == 0,
    )


@click.command("migrate")
@click.argument("process_key")
@click.option("--to", "to_version", type=int, help="Target version (default: latest).")
@click.option("--from", "from_version", type=int, help="Only instances on this version.")
@click.option("--instance", "instance_ids", type=int, multiple=True, help="Only this instance (repeatable).")
@click.option("--dry-run", is_flag=True, help="Only list which instances can move and why not.")
@click.pass_context
@_errors_as_one_line
def migrate_command(
    ctx: click.Context,
    process_key: str,
    to_version: int | None,
    from_version: int | None,
    instance_ids: tuple[int, ...],
    dry_run: bool,
) -> None:
    """Move running instances to another version, each atomically and audited; exit 1 if any cannot move."""
    with make_context().session() as session:
        if dry_run:
            plans = designer_api.plan_migration(
                session, process_key, utcnow(), to_version=to_version, from_version=from_version
            )
            plans = [p for p in plans if not instance_ids or p.instance_id in instance_ids]
            for plan in plans:
                verdict = "can move" if plan.can_move else "cannot move: " + "; ".join(plan.reasons)
                click.echo(
                    f"instance {plan.instance_id} v{plan.from_version} -> v{plan.to_version} "
                    f"at {', '.join(plan.active_elements) or '-'}: {verdict}"
                )
            movable = sum(plan.can_move for plan in plans)
            click.echo(f"{movable} of {len(plans)} instances can move")
            return
        result = designer_api.migrate(
            session,
            _actor(ctx),
            process_key,
            utcnow(),
            to_version=to_version,
            from_version=from_version,
            instance_ids=instance_ids or None,
            progress=_progress_line,
        )
    for instance_id, reason in sorted(result.failed.items()):
        click.echo(f"instance {instance_id} not moved: {reason}", err=True)
    click.echo(f"{result.moved} of {result.total} instances moved")
    sys.exit(1 if result.failed else 0)


COMMANDS = (versions_command, export_command, diff_command, diagram_command, templates_command, migrate_command)
