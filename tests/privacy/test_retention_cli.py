"""``complaintflow retention run [--dry-run]`` and the daily job the scheduler process starts."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from complaintflow import privacy_cli
from complaintflow.cli import main
from complaintflow.context import AppContext
from engine.settings import Settings
from tests.conftest import DatabaseUnderTest
from tests.privacy.support import close, complaint
from tests.webui.support import Seeded


def _close_long_ago(database: DatabaseUnderTest, reference: str, now: datetime, days: int) -> None:
    with database.session() as session:
        close(session, reference, now - timedelta(minutes=30))
        complaint(session, reference).closed_at = datetime.now().astimezone() - timedelta(days=days)
        session.commit()


def test_retention_command_dry_run_then_run(
    database: DatabaseUnderTest, seeded: Seeded, now: datetime, tmp_path: Path
) -> None:
    _close_long_ago(database, seeded.complaints["billing"], now, 400)
    env = {"COMPLAINTFLOW_DATABASE_URL": database.url, "COMPLAINTFLOW_INSTANCE_PATH": str(tmp_path)}
    runner = CliRunner()
    result = runner.invoke(main, ["retention", "run", "--dry-run"], env=env)
    assert result.exit_code == 1 and "no retention period" in result.output
    env["COMPLAINTFLOW_RETENTION_DAYS"] = "365"
    result = runner.invoke(main, ["retention", "run", "--dry-run"], env=env)
    assert result.exit_code == 0, result.output
    assert seeded.complaints["billing"] in result.output and "would pseudonymise 1 complaint(s)" in result.output
    with database.session() as session:
        assert complaint(session, seeded.complaints["billing"]).pseudonymised_at is None
    result = runner.invoke(main, ["retention", "run", "--days", "500"], env=env)
    assert result.exit_code == 0 and "pseudonymised 0 complaint(s)" in result.output
    result = runner.invoke(main, ["retention", "run"], env=env)
    assert result.exit_code == 0 and "pseudonymised 1 complaint(s)" in result.output
    with database.session() as session:
        assert complaint(session, seeded.complaints["billing"]).pseudonymised_at is not None


def test_the_scheduler_process_runs_the_clean_up_daily(
    database: DatabaseUnderTest, seeded: Seeded, now: datetime, tmp_path: Path
) -> None:
    settings = Settings(database_url=database.url, instance_path=tmp_path)
    context = AppContext(settings, database.engine, database.sessions)
    assert privacy_cli.start_retention_job(context) is None  # no period, no job
    context = AppContext(replace(settings, retention_days=30), database.engine, database.sessions)
    scheduler = privacy_cli.start_retention_job(context)
    assert scheduler is not None
    try:
        job = scheduler.get_job("retention_cleanup")
        assert job is not None and "hour='3'" in str(job.trigger)
    finally:
        scheduler.shutdown(wait=False)
    _close_long_ago(database, seeded.complaints["delivery"], now, 31)
    report = privacy_cli.run_retention_once(context)
    assert report is not None and report.done == [seeded.complaints["delivery"]]


def test_customer_export_and_erase_from_the_shell(
    database: DatabaseUnderTest, seeded: Seeded, now: datetime, tmp_path: Path
) -> None:
    env = {"COMPLAINTFLOW_DATABASE_URL": database.url, "COMPLAINTFLOW_INSTANCE_PATH": str(tmp_path)}
    runner = CliRunner()
    out = tmp_path / "schulz.json"
    result = runner.invoke(main, ["customer", "export", "schulz@example.org", "--out", str(out)], env=env)
    assert result.exit_code == 0 and "exported 1 complaint(s)" in result.output
    assert '"name": "Herr Schulz"' in out.read_text(encoding="utf-8")
    assert runner.invoke(main, ["customer", "export", "nobody@example.org"], env=env).exit_code == 1
    result = runner.invoke(main, ["customer", "erase", "schulz@example.org"], env=env)
    assert result.exit_code == 1 and "blocked by open complaints" in result.output and "add --yes" in result.output
    _close_long_ago(database, seeded.complaints["delivery"], now, 1)
    result = runner.invoke(main, ["customer", "erase", "schulz@example.org", "--yes"], env=env)
    assert result.exit_code == 0 and "kept as Pseudonym" in result.output
    with database.session() as session:
        assert complaint(session, seeded.complaints["delivery"]).customer.email is None
