"""docs/production.md's backup and restore, run as written (paths and the psql connection mapped onto the test's
PostgreSQL server as scripts/production_topology.py does): a desk dumped while it exists, restored into the
database a new host's steps 1-3 create, and upgraded by init-db, still has its users."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.production.test_topology import ROOT, topology_script

pytestmark = pytest.mark.postgres
BACKUP = (
    "runuser -u postgres -- pg_dump --format=custom --file=/var/backups/complaintflow-$(date +%F).dump complaintflow"
)
RESTORE = (
    "runuser -u postgres -- pg_restore --dbname=complaintflow --role=complaintflow --no-owner --no-comments"
    " /var/backups/complaintflow-DATE.dump"
)


def _bash(command: str, env: dict[str, str] | None = None) -> None:
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", command], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"


def _complaintflow(database_url: str, *arguments: str) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("COMPLAINTFLOW_")}
    env["COMPLAINTFLOW_DATABASE_URL"] = database_url
    subprocess.run([str(Path(sys.executable).parent / "complaintflow"), *arguments], env=env, check=True,
                   capture_output=True)  # fmt: skip


def test_the_documented_backup_restores_into_a_new_database(tmp_path: Path) -> None:
    document = (ROOT / "docs" / "production.md").read_text()
    assert BACKUP in document and RESTORE in document
    admin_url = os.environ.get("COMPLAINTFLOW_TEST_POSTGRES_URL")
    if not admin_url:
        pytest.fail("no PostgreSQL server: COMPLAINTFLOW_TEST_POSTGRES_URL is not set (run scripts/with-postgres.sh)")
    admin = make_url(admin_url)
    server = f"-h {admin.host} -p {admin.port} -U {admin.username}"
    old = topology_script.Topology(tmp_path / "old", admin_url, 0)
    new = topology_script.Topology(tmp_path / "new", admin_url, 0)
    backups = tmp_path / "backups"
    backups.mkdir()
    env = {**os.environ, "DB_PASSWORD": "desk"}
    try:
        _bash(old.shell(topology_script.DATABASE_SETUP), env)
        _complaintflow(old.database_url, "init-db")
        _complaintflow(old.database_url, "create-user", "admin", "--role", "admin", "--password", "restore-pass")
        _bash(BACKUP.replace("runuser -u postgres -- pg_dump", f"pg_dump {server}")
              .replace("/var/backups/", f"{backups}/").removesuffix(" complaintflow") + f" {old.database}")  # fmt: skip
        _bash(new.shell(topology_script.DATABASE_SETUP), env)
        _bash(RESTORE.replace("runuser -u postgres -- pg_restore", f"pg_restore {server}")
              .replace("--dbname=complaintflow --role=complaintflow", f"--dbname={new.database} --role={new.database}")
              .replace("/var/backups/", f"{backups}/").replace("DATE", date.today().isoformat()))  # fmt: skip
        _complaintflow(new.database_url, "init-db")
        engine = create_engine(new.database_url)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT username FROM app_user")).scalars().all() == ["admin"]
        engine.dispose()
    finally:
        old.down()
        new.down()
