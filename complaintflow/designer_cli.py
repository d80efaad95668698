"""``complaintflow designer ...``: check, normalise and deploy diagrams from modelling tools.

``check`` has a fixed contract for scripts and CI: exit 0 when every file is deployable (warnings
allowed), 1 when any file is rejected, 2 on usage errors (click's own code), and never a traceback,
whatever the input. ``--format json`` prints a JSON array with one object per file
(``file``, ``status``, ``diagnostics``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from complaintflow.context import make_context, utcnow
from designer_export import REJECTED, FileReport, Upload, check_paths
from designer_export.api import deployed_resources, known_topics
from engine.bpmn.bpmn_xml import MAX_XML_BYTES
from engine.bpmn.diagnostics import ERROR, INFO, WARNING
from engine.bpmn.resources import Resource
from engine.domain.actors import Actor, make_actor
from engine.domain.errors import ComplaintflowError
from engine.domain.roles import ROLE_ADMIN

INTERNAL_ERROR = 3


def _actor(ctx: click.Context) -> Actor:
    options = ctx.find_root().params
    if options.get("as_user"):
        return make_actor(options["as_user"], options.get("groups") or (), options.get("roles") or ())
    return Actor("cli", roles=frozenset({ROLE_ADMIN}))


def render_text(reports: list[FileReport], verbose: bool = False) -> str:
    """Human-readable report: one status line per file, then its diagnostics (info only with -v)."""
    lines = []
    for report in reports:
        counts = {s: sum(1 for d in report.diagnostics if d.severity == s) for s in (ERROR, WARNING, INFO)}
        lines.append(f"{report.file}: {report.status} ({counts[ERROR]} errors, {counts[WARNING]} warnings)")
        for diagnostic in report.diagnostics:
            if diagnostic.severity != INFO or verbose:
                lines.append(f"  {diagnostic.text()}")
    return "\n".join(lines)


def _exit_code(reports: list[FileReport]) -> int:
    return 1 if any(report.status == REJECTED for report in reports) else 0


@click.group("designer")  # not a role: the command group
def designer() -> None:
    """Check, normalise and deploy BPMN/DMN files from Camunda Modeler, Signavio, Trisotech, ..."""


@designer.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--as-executable", is_flag=True, help="Check descriptive diagrams as if deployed as executable.")
@click.option("--with-deployed", is_flag=True, help="Also find called processes and decisions in the database.")
@click.option("-v", "--verbose", is_flag=True, help="Also list what the importer translated or dropped.")
def check_command(files: tuple[str, ...], output: str, as_executable: bool, with_deployed: bool, verbose: bool) -> None:
    """Check diagrams: well-formed XML, BPMN schema, semantic rules, engine parse. Exit 1 if any is rejected."""
    try:
        deployed: list[Resource] = []
        if with_deployed:
            with make_context().session() as session:
                deployed = deployed_resources(session)
        reports = check_paths(list(files), as_executable=as_executable, deployed=deployed, known_topics=known_topics())
        if output == "json":
            click.echo(json.dumps([report.to_dict() for report in reports], indent=2, ensure_ascii=False))
        else:
            click.echo(render_text(reports, verbose))
    except Exception as error:  # noqa: BLE001 - the contract is one line, never a traceback
        click.echo(f"error: {type(error).__name__}: {error}", err=True)
        sys.exit(INTERNAL_ERROR)
    sys.exit(_exit_code(reports))


@designer.command("normalize")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", "target", type=click.Path(dir_okay=False), help="Write here (default: stdout).")
@click.option("--as-executable", is_flag=True, help="Make descriptive processes executable.")
def normalize_command(file: str, target: str | None, as_executable: bool) -> None:
    """Print the file as the engine will run it (vendor dialects translated, decoration dropped)."""
    [report] = check_paths([file], as_executable=as_executable)
    normalized = report.normalized
    if normalized is None or normalized.root is None:
        click.echo(render_text([report]), err=True)
        sys.exit(1)
    if target:
        Path(target).write_text(normalized.content, encoding="utf-8")
    else:
        click.echo(normalized.content)
    click.echo(render_text([report]), err=True)
    sys.exit(_exit_code([report]))


@designer.command("deploy")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--as-executable", is_flag=True, help="Deploy descriptive diagrams, plain tasks as human tasks.")
@click.pass_context
def deploy_command(ctx: click.Context, files: tuple[str, ...], as_executable: bool) -> None:
    """Check, then deploy: refused with the diagnostics when any file is rejected."""
    from designer_export.api import deploy_files

    try:
        uploads = []
        for name in files:
            with open(name, "rb") as handle:
                uploads.append(Upload(name, handle.read(MAX_XML_BYTES + 1)))
        context = make_context()
        with context.session() as session:
            outcome = deploy_files(session, _actor(ctx), uploads, utcnow(), as_executable=as_executable)
        if not outcome.deployed:
            click.echo(render_text(outcome.reports), err=True)
            sys.exit(1)
        reports, results = outcome.reports, outcome.results
    except ComplaintflowError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    except OSError as error:
        click.echo(f"error: cannot read {error.filename}: {error.strerror}", err=True)
        sys.exit(1)
    except Exception as error:  # noqa: BLE001 - one line, never a traceback
        click.echo(f"error: {type(error).__name__}: {error}", err=True)
        sys.exit(INTERNAL_ERROR)
    for result in results:
        state = "deployed as" if result.created else "unchanged at"
        click.echo(f"{result.process_key}: {state} version {result.version}")
    warnings = [report for report in reports if report.status != "deployable"]
    if warnings:
        click.echo(render_text(warnings), err=True)


def _register_version_commands() -> None:
    from complaintflow.designer_cli_versions import COMMANDS

    for command in COMMANDS:
        designer.add_command(command)


_register_version_commands()
