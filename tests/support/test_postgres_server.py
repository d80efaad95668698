"""Tests for the throwaway PostgreSQL helper.

These start real servers; a machine without PostgreSQL makes them fail (never
skip): run the suite via scripts/with-postgres.sh, which installs it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

# Relative import: works whether pytest imports us as `support.…` or `tests.support.…`.
from .postgres_server import ENV_URL, TemporaryPostgres, find_pg_bin

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_find_pg_bin_returns_executables() -> None:
    for name in ("initdb", "pg_ctl"):
        path = find_pg_bin(name)
        assert os.path.isabs(path) and os.access(path, os.X_OK)


def test_find_pg_bin_unknown_program_raises() -> None:
    with pytest.raises(RuntimeError, match="not found"):
        find_pg_bin("no-such-postgres-program")


def test_start_create_database_query_and_stop() -> None:
    server = TemporaryPostgres()
    server.start()
    try:
        port = server.port
        tmp_dir = server.tmp_dir
        assert server.url == f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"

        db_url = server.create_database("cf_helper_test")
        assert db_url == f"postgresql+psycopg://postgres@127.0.0.1:{port}/cf_helper_test"

        engine = sa.create_engine(db_url)
        try:
            with engine.connect() as conn:
                assert conn.execute(sa.text("select current_database()")).scalar() == "cf_helper_test"
                version = conn.execute(sa.text("select version()")).scalar()
                assert isinstance(version, str) and version.startswith("PostgreSQL")
                # The speed settings from the brief are really in effect.
                assert conn.execute(sa.text("show fsync")).scalar() == "off"
                assert conn.execute(sa.text("show synchronous_commit")).scalar() == "off"
                assert conn.execute(sa.text("show full_page_writes")).scalar() == "off"
        finally:
            engine.dispose()  # release connections before the server goes away
    finally:
        server.stop()

    assert tmp_dir is not None and not tmp_dir.exists()
    with pytest.raises(psycopg.OperationalError, match="(?i)refused"):
        psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres", connect_timeout=5)
    server.stop()  # idempotent


def test_context_manager_stops_server() -> None:
    with TemporaryPostgres() as server:
        port = server.port
        with psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres") as conn:
            assert conn.execute("select 1").fetchone() == (1,)
    with pytest.raises(psycopg.OperationalError, match="(?i)refused"):
        psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres", connect_timeout=5)


def test_with_postgres_script_exports_url_and_propagates_exit_code() -> None:
    # The child checks the env var, queries the server and exits with 7, which
    # the wrapper must hand back unchanged after stopping the server.
    code = (
        "import os, sys, sqlalchemy as sa\n"
        f"url = os.environ[{ENV_URL!r}]\n"
        "assert url.startswith('postgresql+psycopg://postgres@127.0.0.1:'), url\n"
        "assert url.endswith('/postgres'), url\n"
        "e = sa.create_engine(url)\n"
        "with e.connect() as c: assert c.execute(sa.text('select 1')).scalar() == 1\n"
        "e.dispose()\n"
        "print(url.rsplit(':', 1)[1].split('/')[0])\n"
        "sys.exit(7)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != ENV_URL}
    proc = subprocess.run(
        ["bash", str(REPO_ROOT / "scripts" / "with-postgres.sh"), sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 7, proc.stderr
    port = int(proc.stdout.strip())
    with pytest.raises(psycopg.OperationalError, match="(?i)refused"):
        psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres", connect_timeout=5)
