"""``complaintflow retention run [--dry-run]``, ``complaintflow customer export|erase`` and the daily retention
job of the scheduler process.

See docs/data-protection.md. The period comes from COMPLAINTFLOW_RETENTION_DAYS (or ``--days``); without one,
nothing is pseudonymised. Export and erasure act as the CLI operator (admin) and are audited like in the web UI.
"""

from __future__ import annotations

import atexit
import json
import logging
from pathlib import Path

import click
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy.orm import Session

from complaintflow.cli_support import acting_user, app_context, handle_errors
from complaintflow.context import AppContext, utcnow
from engine.domain.actors import SYSTEM
from engine.domain.errors import ComplaintflowError, NotFound
from engine.services.privacy import data_export as data_protection
from engine.services.privacy import erasure
from engine.services.privacy.retention import RetentionReport, run_retention

log = logging.getLogger("complaintflow.retention")
DAILY_AT_HOUR = 3  # UTC: a quiet hour for the clean-up


def _print(report: RetentionReport, dry_run: bool) -> None:
    verb = "would pseudonymise" if dry_run else "pseudonymised"
    for candidate in report.candidates:
        note = f" (skipped: {candidate.skipped})" if candidate.skipped else ""
        click.echo(f"{candidate.reference}\tclosed {candidate.closed_at:%Y-%m-%d}{note}")
    count = sum(1 for c in report.candidates if not c.skipped) if dry_run else len(report.done)
    click.echo(f"{verb} {count} complaint(s) closed before {report.cutoff:%Y-%m-%d %H:%M} ({report.days} days)")
    for reference, error in report.failed.items():
        click.echo(f"failed: {reference}: {error}", err=True)


@click.group("retention")
def retention_group() -> None:
    """The retention clean-up of closed complaints (data protection)."""


@retention_group.command("run")
@click.option("--dry-run", is_flag=True, help="Only list the complaints that would be pseudonymised.")
@click.option("--days", type=click.IntRange(min=1), help="Retention period (default: COMPLAINTFLOW_RETENTION_DAYS).")
@click.pass_context
@handle_errors
def run_command(ctx: click.Context, dry_run: bool, days: int | None) -> None:
    """Pseudonymise the complaints closed longer ago than the retention period."""
    context = app_context(ctx)
    period = days or context.settings.retention_days
    if not period:
        raise ComplaintflowError("no retention period: set COMPLAINTFLOW_RETENTION_DAYS or pass --days")
    with context.session() as session:
        report = run_retention(session, acting_user(ctx), period, utcnow(), dry_run=dry_run)
    _print(report, dry_run)
    if report.failed:
        raise SystemExit(1)


@click.group("customer")
def customer_group() -> None:
    """Data protection for one customer: export all their data, or erase it."""


def _customer_id(session: Session, text: str) -> int:
    found = erasure.find_customers(session, text)
    if not found:
        raise NotFound(f"no customer with number or e-mail address {text!r}")
    if len(found) > 1:
        raise ComplaintflowError(f"several customers have this address: {', '.join(str(c.id) for c in found)}")
    return found[0].id


@customer_group.command("export")
@click.argument("customer")
@click.option("--out", type=click.Path(path_type=Path), help="Write the JSON here (default: standard output).")
@click.pass_context
@handle_errors
def export_command(ctx: click.Context, customer: str, out: Path | None) -> None:
    """All data of CUSTOMER (number or e-mail address) as one JSON document."""
    with app_context(ctx).session() as session:
        data = data_protection.export_customer(session, acting_user(ctx), _customer_id(session, customer), utcnow())
    text = json.dumps(data, ensure_ascii=False, indent=1)
    if out is None:
        click.echo(text)
    else:
        out.write_text(text, encoding="utf-8")
        click.echo(f"exported {len(data['complaints'])} complaint(s) to {out}")


@customer_group.command("erase")
@click.argument("customer")
@click.option("--yes", is_flag=True, help="Confirm: the personal data cannot be restored.")
@click.pass_context
@handle_errors
def erase_command(ctx: click.Context, customer: str, yes: bool) -> None:
    """Replace CUSTOMER's personal data by a pseudonym; their complaints keep anonymous statistics."""
    with app_context(ctx).session() as session:
        customer_id = _customer_id(session, customer)
        if not yes:
            preview = erasure.preview_erasure(session, acting_user(ctx), customer_id)
            state = f"blocked by open complaints: {', '.join(preview.blocking)}" if preview.blocking else "possible"
            click.echo(f"customer {customer_id}: {len(preview.complaints)} complaint(s); erasure {state}")
            raise ComplaintflowError("nothing erased: add --yes to confirm")
        result = erasure.erase_customer(session, acting_user(ctx), customer_id, utcnow())
    click.echo(f"customer {customer_id} erased: {result.complaints} complaint(s) kept as {result.pseudonym}")
    for hold in result.kept:
        click.echo(f"kept as the law requires: {hold.reference} until {hold.until.date().isoformat()} ({hold.source})")


def run_retention_once(context: AppContext) -> RetentionReport | None:
    """The scheduled job: one clean-up as the system user; errors are logged, the scheduler keeps running."""
    days = context.settings.retention_days
    if not days:
        return None
    try:
        with context.session() as session:
            report = run_retention(session, SYSTEM, days, utcnow())
    except Exception:  # noqa: BLE001 - a failed clean-up must not stop the timer scheduler; retried tomorrow
        log.exception("retention clean-up failed")
        return None
    log.info("retention clean-up: %d complaint(s) pseudonymised, %d failed", len(report.done), len(report.failed))
    return report


def start_retention_job(context: AppContext) -> BackgroundScheduler | None:
    """A daily cron job (03:00 UTC) in the scheduler process, separate from the timer scheduler's own jobs.

    Returns None (and schedules nothing) when no retention period is set.
    """
    if not context.settings.retention_days:
        return None
    scheduler = BackgroundScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1})
    scheduler.add_job(run_retention_once, "cron", hour=DAILY_AT_HOUR, args=[context], id="retention_cleanup")
    scheduler.start()
    atexit.register(lambda: scheduler.shutdown(wait=True) if scheduler.running else None)
    log.info(
        "retention clean-up scheduled daily at %02d:00 UTC (%d days)", DAILY_AT_HOUR, context.settings.retention_days
    )
    return scheduler
