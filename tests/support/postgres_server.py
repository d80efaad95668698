"""Start and stop a throwaway PostgreSQL server for the test suite.

Library use::

    with TemporaryPostgres() as pg:
        url = pg.create_database("test_db")   # SQLAlchemy URL of a fresh database

Command-line use (this is what ``scripts/with-postgres.sh`` does)::

    python tests/support/postgres_server.py start --state-file /tmp/x/state.json
    python tests/support/postgres_server.py stop  --state-file /tmp/x/state.json

``start`` prints the admin URL (database ``postgres``) on stdout and leaves the
server running; ``stop`` shuts it down and deletes its temporary directory.

With pytest-xdist the server must be started once per run, not once per
worker: run pytest under ``scripts/with-postgres.sh`` (which exports
``COMPLAINTFLOW_TEST_POSTGRES_URL``), or call :func:`ensure_postgres_url_env`
from ``pytest_configure`` in the xdist controller, before the workers are
spawned; workers inherit the environment variable and each creates its own
database with :func:`create_database_on`.

Only the standard library is imported at module level so that the CLI works
with any ``python3``; psycopg / SQLAlchemy are imported lazily where needed.
"""

from __future__ import annotations

import argparse
import atexit
import glob
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any

#: Environment variable holding the admin URL of the shared test server.
ENV_URL = "COMPLAINTFLOW_TEST_POSTGRES_URL"

#: Database superuser created by initdb (independent of the OS user).
DB_SUPERUSER = "postgres"

#: OS account used to run the server when we are root (PostgreSQL refuses root).
OS_USER = "postgres"

_PG_LIB_GLOB = "/usr/lib/postgresql/*/bin"
_DB_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
_LOG_TAIL_CHARS = 4000


def _version_key(path: str) -> tuple[int, ...]:
    """Sort key for /usr/lib/postgresql/<version>/bin directories."""
    version = Path(path).parent.name
    return tuple(int(part) for part in re.findall(r"\d+", version)) or (0,)


def find_pg_bin(name: str) -> str:
    """Return the absolute path of a PostgreSQL program such as ``initdb``.

    Looks on ``PATH`` first, then in the newest ``/usr/lib/postgresql/*/bin``
    (Debian installs the server binaries there and does not put them on PATH).
    """
    found = shutil.which(name)
    if found:
        return os.path.abspath(found)
    for bin_dir in sorted(glob.glob(_PG_LIB_GLOB), key=_version_key, reverse=True):
        candidate = os.path.join(bin_dir, name)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    raise RuntimeError(
        f"PostgreSQL program {name!r} not found on PATH or in {_PG_LIB_GLOB}. "
        "Install PostgreSQL (apt-get install -y postgresql) or run the tests "
        "via scripts/with-postgres.sh, which installs it."
    )


def _free_port() -> int:
    """Ask the kernel for a currently unused TCP port on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _read_tail(path: Path, limit: int = _LOG_TAIL_CHARS) -> str:
    """Return the last ``limit`` characters of a log file ('' if missing)."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return text[-limit:]


def _clean_env() -> dict[str, str]:
    """Environment for the PostgreSQL programs.

    PG* variables (PGDATA, PGPORT, PGHOST, ...) from the developer's shell
    would silently change what initdb/pg_ctl do, so they are dropped; LC_ALL=C
    avoids failures on machines without generated locales.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["LC_ALL"] = "C"
    env["LANG"] = "C"
    return env


def _sqlalchemy_url(port: int, dbname: str, host: str = "127.0.0.1") -> str:
    return f"postgresql+psycopg://{DB_SUPERUSER}@{host}:{port}/{dbname}"


def _check_db_name(name: str) -> None:
    # Restricting names keeps the returned URL trivially valid (no escaping).
    if not _DB_NAME_RE.match(name):
        raise ValueError(
            f"invalid database name {name!r}: use letters, digits and '_' (max 63 chars, not starting with a digit)"
        )


def _admin_connect(admin_url: str) -> Any:
    """Open an autocommit psycopg connection from a SQLAlchemy-style URL."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(admin_url)
    return psycopg.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        user=url.username,
        password=url.password,
        dbname=url.database or "postgres",
        autocommit=True,  # CREATE/DROP DATABASE cannot run in a transaction
        connect_timeout=10,
    )


def create_database_on(admin_url: str, name: str, template: str = "template0") -> str:
    """Create database ``name`` on the server of ``admin_url``; return its URL.

    ``template0`` is the default because copying ``template1`` fails while any
    other session is connected to it, which happens with parallel workers.
    """
    from psycopg import sql
    from sqlalchemy.engine import make_url

    _check_db_name(name)
    _check_db_name(template)
    with _admin_connect(admin_url) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template)))
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_database_on(admin_url: str, name: str) -> None:
    """Drop database ``name`` (if it exists), disconnecting its sessions."""
    from psycopg import sql

    _check_db_name(name)
    with _admin_connect(admin_url) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


class TemporaryPostgres:
    """A private PostgreSQL cluster in a temporary directory.

    The server listens on 127.0.0.1 (free port) and on a unix socket inside
    the temp dir, uses trust authentication and has durability switched off
    for speed. Usable as a context manager. When running as root the server
    runs as the ``postgres`` OS user, which must exist.
    """

    def __init__(
        self,
        base_dir: str | os.PathLike[str] | None = None,
        max_connections: int = 200,
        stop_at_exit: bool = True,
        start_timeout: int = 60,
    ) -> None:
        """Configure (but do not start) a server.

        ``base_dir`` is the parent for the temporary directory (default: the
        system temp dir); as root it must be traversable by ``postgres``.
        ``stop_at_exit`` registers an atexit hook so an interrupted test run
        does not leak a server; the CLI ``start`` disables it on purpose.
        """
        self.base_parent = os.fspath(base_dir) if base_dir is not None else None
        self.max_connections = max_connections
        self.stop_at_exit = stop_at_exit
        self.start_timeout = start_timeout
        self.tmp_dir: Path | None = None
        self.port: int | None = None
        self.run_as: str | None = None  # OS user to switch to, None = current user
        self.pg_ctl: str | None = None
        self._atexit_registered = False

    # ------------------------------------------------------------------ paths
    @property
    def data_dir(self) -> Path:
        return self._require_tmp() / "data"

    @property
    def socket_dir(self) -> Path:
        return self._require_tmp() / "sock"

    @property
    def log_file(self) -> Path:
        return self._require_tmp() / "postgres.log"

    def _require_tmp(self) -> Path:
        if self.tmp_dir is None:
            raise RuntimeError("TemporaryPostgres has not been started")
        return self.tmp_dir

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the ``postgres`` admin database."""
        if self.port is None:
            raise RuntimeError("TemporaryPostgres has not been started")
        return _sqlalchemy_url(self.port, "postgres")

    @property
    def running(self) -> bool:
        return self.port is not None and self.tmp_dir is not None

    # ---------------------------------------------------------------- helpers
    def _cmd(self, *args: str) -> list[str]:
        """Prefix a command with runuser when we must drop root privileges."""
        if self.run_as:
            return ["runuser", "-u", self.run_as, "--", *args]
        return list(args)

    def _run(self, args: list[str], what: str, timeout: float) -> None:
        """Run a PostgreSQL program, raising RuntimeError with its output.

        Output goes to a file, not a pipe: pg_ctl start leaves the postmaster
        running, and a pipe it inherited would make us wait forever for EOF.
        """
        out_path = self._require_tmp() / f"{what}.out"
        with open(out_path, "wb") as out:
            try:
                proc = subprocess.run(
                    self._cmd(*args),
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    cwd=self._require_tmp(),  # root's cwd may be unreadable for postgres
                    env=_clean_env(),
                    timeout=timeout,
                    check=False,
                )
            except subprocess.TimeoutExpired as exc:
                raise RuntimeError(
                    f"{what} timed out after {timeout}s: {' '.join(args)}\n"
                    f"--- {what} output ---\n{_read_tail(out_path)}\n"
                    f"--- server log ---\n{_read_tail(self.log_file)}"
                ) from exc
        if proc.returncode != 0:
            hint = ""
            if self.run_as:
                hint = (
                    f"(running as {self.run_as!r} via runuser: every parent directory of "
                    f"{self.tmp_dir} must be traversable by that user; set base_dir/TMPDIR)\n"
                )
            raise RuntimeError(
                f"{what} failed with exit code {proc.returncode}: {' '.join(args)}\n{hint}"
                f"--- {what} output ---\n{_read_tail(out_path)}\n"
                f"--- server log ---\n{_read_tail(self.log_file)}"
            )

    def _resolve_binaries(self) -> tuple[str, str]:
        """Find initdb and a pg_ctl of the *same* version (sibling if possible)."""
        initdb = find_pg_bin("initdb")
        sibling = os.path.join(os.path.dirname(os.path.realpath(initdb)), "pg_ctl")
        pg_ctl = sibling if os.access(sibling, os.X_OK) else find_pg_bin("pg_ctl")
        return initdb, pg_ctl

    def _prepare_user(self) -> pwd.struct_passwd | None:
        """Decide which OS user runs the server; None means the current one."""
        if os.geteuid() != 0:
            return None
        try:
            return pwd.getpwnam(OS_USER)
        except KeyError:
            raise RuntimeError(
                f"running as root but OS user {OS_USER!r} does not exist; PostgreSQL "
                "refuses to run as root. Create it (useradd --system --no-create-home "
                f"--user-group {OS_USER}) or run the tests via scripts/with-postgres.sh."
            ) from None

    def _write_config(self) -> None:
        """Write our settings into an included file (rewritten per port try)."""
        assert self.port is not None
        conf = self.data_dir / "complaintflow_test.conf"
        conf.write_text(
            "\n".join(
                [
                    "listen_addresses = '127.0.0.1'",
                    f"port = {self.port}",
                    f"unix_socket_directories = '{self.socket_dir}'",
                    f"max_connections = {self.max_connections}",
                    # Throwaway data: durability only costs time.
                    "fsync = off",
                    "synchronous_commit = off",
                    "full_page_writes = off",
                    "logging_collector = off",
                    "",
                ]
            )
        )
        if self.run_as:
            shutil.chown(conf, user=self.run_as)

    # --------------------------------------------------------------- start/stop
    def start(self) -> TemporaryPostgres:
        """Create the cluster and start the server; returns self."""
        if self.running:
            return self
        initdb, self.pg_ctl = self._resolve_binaries()
        user = self._prepare_user()
        self.run_as = user.pw_name if user else None

        self.tmp_dir = Path(tempfile.mkdtemp(prefix="complaintflow-pg-", dir=self.base_parent))
        try:
            self.socket_dir.mkdir()
            if user:
                # The server writes its log, socket and data here as `postgres`.
                for path in (self.tmp_dir, self.socket_dir):
                    os.chown(path, user.pw_uid, user.pw_gid)
            self._run(
                [
                    initdb,
                    "-D",
                    str(self.data_dir),
                    "-U",
                    DB_SUPERUSER,
                    "--auth=trust",  # loopback/socket only, so trust is harmless
                    "--encoding=UTF8",
                    "--no-locale",
                    "--no-sync",  # no point fsyncing a throwaway cluster
                ],
                "initdb",
                timeout=120,
            )
            with open(self.data_dir / "postgresql.conf", "a") as conf:
                conf.write("\ninclude 'complaintflow_test.conf'\n")
            self._start_server()
        except BaseException:
            self._cleanup_dir()
            raise
        if self.stop_at_exit and not self._atexit_registered:
            atexit.register(self.stop)
            self._atexit_registered = True
        return self

    def _start_server(self, attempts: int = 3) -> None:
        """Start the postmaster, retrying with a new port on a bind race."""
        assert self.pg_ctl is not None
        for attempt in range(1, attempts + 1):
            self.port = _free_port()
            self._write_config()
            try:
                self._run(
                    [
                        self.pg_ctl,
                        "start",
                        "-D",
                        str(self.data_dir),
                        "-l",
                        str(self.log_file),
                        "-w",
                        "-t",
                        str(self.start_timeout),
                    ],
                    "pg_ctl_start",
                    timeout=self.start_timeout + 30,
                )
                return
            except RuntimeError:
                # Another process may have grabbed the port between our probe and
                # the server's bind; anything else is a real error.
                log = _read_tail(self.log_file)
                self._kill_postmaster()
                if attempt < attempts and ("could not bind" in log or "in use" in log):
                    continue
                self.port = None
                raise

    def restart(self) -> None:
        """Restart the server on the same port (fault injection: every client loses its connections)."""
        assert self.pg_ctl is not None
        self._run(
            [self.pg_ctl, "restart", "-D", str(self.data_dir), "-l", str(self.log_file), "-m", "fast", "-w",
             "-t", str(self.start_timeout)],
            "pg_ctl_restart",
            timeout=self.start_timeout + 30,
        )  # fmt: skip

    def halt(self) -> None:
        """Stop the server but keep its cluster and port (fault injection: down until :meth:`resume`)."""
        assert self.pg_ctl is not None
        self._run([self.pg_ctl, "stop", "-D", str(self.data_dir), "-m", "fast", "-w"], "pg_ctl_halt", timeout=90)

    def resume(self) -> None:
        """Start the server stopped by :meth:`halt` again, on the same port."""
        assert self.pg_ctl is not None
        self._run(
            [self.pg_ctl, "start", "-D", str(self.data_dir), "-l", str(self.log_file), "-w",
             "-t", str(self.start_timeout)],
            "pg_ctl_resume",
            timeout=self.start_timeout + 30,
        )  # fmt: skip

    def postmaster_pid(self) -> int | None:
        """The server's main process (bench/load.py counts the CPU of it and its backends)."""
        return self._postmaster_pid()

    def _postmaster_pid(self) -> int | None:
        """PID from postmaster.pid, or None if the server is not running."""
        try:
            first = (self.data_dir / "postmaster.pid").read_text().splitlines()[0]
            return int(first.strip())
        except (OSError, IndexError, ValueError):
            return None

    @staticmethod
    def _wait_gone(pid: int, timeout: float) -> bool:
        """Wait until ``pid`` no longer exists at all; True if it is gone.

        After pg_ctl exits the postmaster is re-parented to init, so after it
        exits it stays a zombie until init reaps it. Waiting for that makes
        "no postgres process left" hold as soon as stop() returns.
        """
        deadline = time.monotonic() + timeout
        while True:
            if os.path.isdir("/proc"):
                alive = os.path.exists(f"/proc/{pid}")
            else:
                try:
                    os.kill(pid, 0)
                    alive = True
                except ProcessLookupError:
                    alive = False
                except PermissionError:
                    alive = True
            if not alive:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)

    def _kill_postmaster(self) -> None:
        """Last resort: SIGQUIT (immediate shutdown, also ends children), then SIGKILL."""
        pid = self._postmaster_pid()
        if pid is None:
            return
        for sig, wait in ((signal.SIGQUIT, 10.0), (signal.SIGKILL, 5.0)):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                return
            if self._wait_gone(pid, wait):
                return

    def _cleanup_dir(self) -> None:
        if self.tmp_dir is not None:
            shutil.rmtree(self.tmp_dir, ignore_errors=True)
        self.tmp_dir = None
        self.port = None

    def stop(self) -> None:
        """Stop the server and delete its directory. Safe to call twice."""
        if self.tmp_dir is None:
            return
        try:
            pid = self._postmaster_pid()
            if pid is not None and self.pg_ctl:
                try:
                    # "immediate" is fine: the data is thrown away anyway.
                    self._run(
                        [self.pg_ctl, "stop", "-D", str(self.data_dir), "-m", "immediate", "-w", "-t", "30"],
                        "pg_ctl_stop",
                        timeout=60,
                    )
                except RuntimeError:
                    self._kill_postmaster()
                # pg_ctl -w returns once postmaster.pid is gone; double-check,
                # then wait for the process itself (see _wait_gone).
                self._kill_postmaster()
                self._wait_gone(pid, 5.0)
        finally:
            self._cleanup_dir()

    # ---------------------------------------------------------- databases
    def create_database(self, name: str, template: str = "template0") -> str:
        """Create a fresh database and return its SQLAlchemy URL."""
        return create_database_on(self.url, name, template)

    def drop_database(self, name: str) -> None:
        """Drop a database created with :meth:`create_database`."""
        drop_database_on(self.url, name)

    # --------------------------------------------------------- context manager
    def __enter__(self) -> TemporaryPostgres:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --------------------------------------------------------- state (for CLI)
    def to_state(self) -> dict[str, Any]:
        """Everything another process needs to stop this server."""
        return {
            "url": self.url,
            "port": self.port,
            "tmp_dir": str(self._require_tmp()),
            "run_as": self.run_as,
            "pg_ctl": self.pg_ctl,
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> TemporaryPostgres:
        """Rebuild a handle to a running server from :meth:`to_state` output."""
        server = cls(stop_at_exit=False)
        server.tmp_dir = Path(state["tmp_dir"])
        server.port = state["port"]
        server.run_as = state["run_as"]
        server.pg_ctl = state["pg_ctl"]
        return server


def ensure_postgres_url_env() -> TemporaryPostgres | None:
    """Make sure ``COMPLAINTFLOW_TEST_POSTGRES_URL`` is set.

    If it is already set (e.g. by scripts/with-postgres.sh) nothing happens and
    None is returned. Otherwise a server is started, the variable is exported
    in ``os.environ`` (inherited by xdist workers started afterwards) and the
    server is returned: the caller must ``stop()`` it. Call this only in the
    xdist controller (``not hasattr(config, "workerinput")``).
    """
    if os.environ.get(ENV_URL):
        return None
    server = TemporaryPostgres().start()
    os.environ[ENV_URL] = server.url
    return server


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["start", "stop"])
    parser.add_argument("--state-file", required=True, help="JSON file describing the server")
    parser.add_argument("--base-dir", default=None, help="parent directory for the cluster (start)")
    args = parser.parse_args(argv)
    state_file = Path(args.state_file)

    if args.action == "start":
        # No atexit hook: the server must outlive this process.
        server = TemporaryPostgres(base_dir=args.base_dir, stop_at_exit=False).start()
        try:
            state_file.write_text(json.dumps(server.to_state()))
        except BaseException:
            server.stop()
            raise
        print(server.url)
        return 0

    if not state_file.exists():
        return 0  # never started (or already stopped): nothing to do
    TemporaryPostgres.from_state(json.loads(state_file.read_text())).stop()
    state_file.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(_main())
    except RuntimeError as error:
        print(f"postgres_server: {error}", file=sys.stderr)
        sys.exit(1)
