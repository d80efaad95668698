"""Build docs/production.md's topology on this machine: PostgreSQL, nginx with TLS, two app servers, two
schedulers, two dispatchers and the mail intake, from the files in deploy/ and the commands in the doc.

The commands below are quoted verbatim in docs/production.md (a test checks that), and the services are
started from the shipped systemd units' ExecStart, EnvironmentFile and WorkingDirectory lines, so the
document cannot drift from what runs. What a test host cannot do is replaced, and only that: the
paths of a real host (/etc, /opt, /var/lib) point into a temporary folder, `runuser -u postgres -- psql`
reaches the test's own PostgreSQL server, and instead of systemctl the processes are started here.

Usage (a PostgreSQL admin URL in COMPLAINTFLOW_TEST_POSTGRES_URL, e.g. from scripts/with-postgres.sh):
    python scripts/production_topology.py up --dir /tmp/desk      # prints the URL, Ctrl+C stops everything
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
APP_PORTS_IN_DOCS = (8001, 8002)

# The doc's commands, run in this order. Each string appears verbatim in docs/production.md.
DATABASE_SETUP = (
    'runuser -u postgres -- psql -v role=complaintflow -v database=complaintflow -v password="$DB_PASSWORD"'
    " -f deploy/postgres-setup.sql"
)
INSTALL_SETTINGS = "install -m 0640 deploy/complaintflow.env.example /etc/complaintflow/complaintflow.env"
LOAD_SETTINGS = "set -a; . /etc/complaintflow/complaintflow.env; set +a"
SCHEMA = "runuser -u complaintflow -- /opt/complaintflow/.venv/bin/complaintflow init-db"
PROCESSES = (
    "runuser -u complaintflow -- /opt/complaintflow/.venv/bin/complaintflow deploy processes/*.bpmn processes/*.dmn"
)
FIRST_ADMIN = (
    "runuser -u complaintflow -- /opt/complaintflow/.venv/bin/complaintflow create-user admin --role admin"
    ' --password "$ADMIN_PASSWORD" --email admin@example.org'
)
CERTIFICATE = (
    "openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=complaints.example.org"
    " -keyout /etc/ssl/complaintflow/privkey.pem -out /etc/ssl/complaintflow/fullchain.pem"
)
NGINX_CHECK = "nginx -t"
# The upgrade, in this order (docs/production.md, "Upgrades"); the test host has the new code checked out already.
STOP_ALL = "systemctl stop 'complaintflow-*'"
INSTALL_CODE = "cd /opt/complaintflow/src && git pull && /opt/complaintflow/.venv/bin/pip install ."
START_ALL = (
    "systemctl start complaintflow-web@8001 complaintflow-web@8002 complaintflow-scheduler complaintflow-dispatch"
    " complaintflow-mail-intake"
)
UPGRADE = (STOP_ALL, INSTALL_CODE, LOAD_SETTINGS, SCHEMA, PROCESSES, START_ALL)
COMMANDS = (DATABASE_SETUP, INSTALL_SETTINGS, LOAD_SETTINGS, SCHEMA, PROCESSES, FIRST_ADMIN, CERTIFICATE, NGINX_CHECK)
UNITS = (
    "complaintflow-web@8001",
    "complaintflow-web@8002",
    "complaintflow-scheduler",
    "complaintflow-scheduler",  # a second one, as a second host would run: timers still fire once
    "complaintflow-dispatch",
    "complaintflow-dispatch",
    "complaintflow-mail-intake",
)


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, deadline_seconds: float = 60) -> None:
    """Block until something listens on the loopback port."""
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing listens on port {port} after {deadline_seconds} s")


@dataclass
class Topology:
    """The running desk: its folder, URLs and processes."""

    folder: Path
    admin_url: str
    smtp_port: int
    # "postgres" as documented; "sqlite" (bench/chaos.py) keeps the same processes on one SQLite file.
    backend: str = "postgres"
    https_port: int = field(default_factory=free_port)
    http_port: int = field(default_factory=free_port)
    app_ports: tuple[int, int] = field(default_factory=lambda: (free_port(), free_port()))
    intake_port: int = field(default_factory=free_port)
    database: str = field(default_factory=lambda: f"cf_desk_{secrets.token_hex(4)}")
    admin_password: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    base_env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    @property
    def database_url(self) -> str:
        if self.backend == "sqlite":
            return f"sqlite:///{self.folder}/var/complaintflow.db"
        admin = make_url(self.admin_url)
        return str(admin.set(username=self.database, password="desk", database=self.database))

    # -- mapping a real host onto the folder --------------------------------------------------------------
    def host_path(self, path: str) -> str:
        """Where a path of a real host lives in this topology."""
        mapping = {
            "/opt/complaintflow/.venv/bin/": str(Path(sys.executable).parent) + "/",
            "/etc/complaintflow/": f"{self.folder}/etc/",
            "/etc/ssl/complaintflow/": f"{self.folder}/ssl/",
            "/var/lib/complaintflow": f"{self.folder}/var",
        }
        for real, here in mapping.items():
            path = path.replace(real, here)
        return path

    def shell(self, command: str) -> str:
        """The doc's command as this host runs it."""
        if self.backend == "postgres":
            admin = make_url(self.admin_url)
            psql = f"psql -h {admin.host} -p {admin.port} -U {admin.username} -d {admin.database} -v ON_ERROR_STOP=1"
            command = command.replace("runuser -u postgres -- psql", psql)
        command = command.replace(
            "-v role=complaintflow -v database=complaintflow", f"-v role={self.database} -v database={self.database}"
        )
        command = command.replace("runuser -u complaintflow -- ", "")
        return self.host_path(command)

    # -- steps ------------------------------------------------------------------------------------------
    def settings(self) -> dict[str, str]:
        """deploy/complaintflow.env.example with this desk's values filled in, as an operator would edit it."""
        values = {
            "COMPLAINTFLOW_DATABASE_URL": self.database_url,
            "COMPLAINTFLOW_SECRET_KEY": secrets.token_hex(32),
            "COMPLAINTFLOW_INSTANCE_PATH": self.host_path("/var/lib/complaintflow"),
            "COMPLAINTFLOW_PUBLIC_URL": self.url,
            "COMPLAINTFLOW_SMTP_HOST": "127.0.0.1",
            "COMPLAINTFLOW_SMTP_PORT": str(self.smtp_port),
            "COMPLAINTFLOW_INTAKE_PORT": str(self.intake_port),
        }
        return values

    def run(self, command: str, env: dict[str, str]) -> None:
        """One of the doc's commands, in bash, from the repository folder."""
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", self.shell(command)],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        if result.returncode != 0:
            raise RuntimeError(f"{command!r} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")

    def up(self) -> Topology:
        """Build and start everything; returns when nginx answers on the HTTPS port."""
        loaded = self.prepare()
        for command in (SCHEMA, PROCESSES, FIRST_ADMIN, CERTIFICATE):
            self.run(command, loaded)
        return self.start()

    def prepare(self) -> dict[str, str]:
        """Steps 2 and 3: the database and its role, the settings file; returns the environment with it loaded."""
        for sub in ("etc", "ssl", "var", "nginx", "logs"):
            (self.folder / sub).mkdir(parents=True, exist_ok=True)
        env = {key: value for key, value in os.environ.items() if not key.startswith("COMPLAINTFLOW_")}
        env.update(DB_PASSWORD="desk", ADMIN_PASSWORD=self.admin_password)
        self.base_env = env
        if self.backend == "postgres":
            self.run(DATABASE_SETUP, env)
        self.run(INSTALL_SETTINGS, env)
        settings_file = Path(self.host_path("/etc/complaintflow/complaintflow.env"))
        settings_file.write_text(_edited(settings_file.read_text(), self.settings()))
        return {**env, **_read_env_file(settings_file)}

    def start(self) -> Topology:
        """Step 7 (and nginx of step 6): every unit, as systemctl enable --now would; returns when nginx answers."""
        for name in UNITS:
            self.start_unit(name, self.base_env)
        for port in self.app_ports:
            wait_for_port(port)
        self.start_nginx()
        wait_for_port(self.https_port)
        return self

    def start_unit(self, name: str, base_env: dict[str, str], key: str | None = None) -> subprocess.Popen[bytes]:
        """Start a systemd unit's ExecStart with its EnvironmentFile and WorkingDirectory, as systemd would."""
        template, _, instance = name.partition("@")
        unit_file = DEPLOY / "systemd" / (f"{template}@.service" if instance else f"{name}.service")
        unit = _unit_settings(unit_file.read_text())
        if instance:
            port = self.app_ports[APP_PORTS_IN_DOCS.index(int(instance))]
            unit = {key: value.replace("%i", str(port)) for key, value in unit.items()}
        env = {**base_env, **_read_env_file(Path(self.host_path(unit["EnvironmentFile"])))}
        working_directory = Path(self.host_path(unit["WorkingDirectory"]))
        working_directory.mkdir(parents=True, exist_ok=True)
        key = key or (name if name not in self.processes else f"{name}#2")
        log = (self.folder / "logs" / f"{key}.log").open("ab")
        process = subprocess.Popen(
            shlex.split(self.host_path(unit["ExecStart"])),
            cwd=working_directory, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        self.processes[key] = process
        return process

    def start_nginx(self) -> None:
        """deploy/nginx/complaintflow.conf inside a minimal main configuration, on this desk's ports."""
        site = (DEPLOY / "nginx" / "complaintflow.conf").read_text()
        for documented, port in zip(APP_PORTS_IN_DOCS, self.app_ports, strict=True):
            site = site.replace(f"127.0.0.1:{documented};", f"127.0.0.1:{port};").replace(
                f"127.0.0.1:{documented} ", f"127.0.0.1:{port} "
            )
        site = site.replace("listen 443 ssl", f"listen 127.0.0.1:{self.https_port} ssl")
        site = site.replace("listen 80;", f"listen 127.0.0.1:{self.http_port};")
        site = self.host_path(site)
        prefix = self.folder / "nginx"
        (prefix / "complaintflow.conf").write_text(site)
        main = f"""
pid {prefix}/nginx.pid;
error_log {self.folder}/logs/nginx-error.log;
worker_processes 1;
events {{ worker_connections 256; }}
http {{
    access_log {self.folder}/logs/nginx-access.log;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {prefix}/complaintflow.conf;
}}
"""
        (prefix / "nginx.conf").write_text(main)
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        arguments = [nginx, "-p", str(prefix), "-c", str(prefix / "nginx.conf")]
        check = subprocess.run([*arguments, "-t"], capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"nginx -t failed:\n{check.stderr}")
        self.processes["nginx"] = subprocess.Popen(
            [*arguments, "-g", "daemon off;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip

    def restart_unit(self, key: str) -> None:
        """Start a unit again under the same key, as systemd's Restart=always does after a crash."""
        self.start_unit(key.split("#")[0], self.base_env, key=key)
        if key.startswith("complaintflow-web@"):
            wait_for_port(self.app_ports[APP_PORTS_IN_DOCS.index(int(key.split("@")[1].split("#")[0]))])

    def kill(self, key: str) -> None:
        """kill -9 a service's whole process group (gunicorn master and workers alike)."""
        process = self.processes[key]
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

    def down(self) -> None:
        """Stop everything and drop the database."""
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        if self.backend != "postgres":
            return
        admin = make_url(self.admin_url)
        for statement in (
            f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)',
            f'DROP ROLE IF EXISTS "{self.database}"',
        ):
            subprocess.run(
                ["psql", "-h", str(admin.host), "-p", str(admin.port), "-U", str(admin.username), "-d",
                 str(admin.database), "-c", statement],
                capture_output=True, check=False,
            )  # fmt: skip


def _edited(template: str, values: dict[str, str]) -> str:
    """The env file with the given variables' lines replaced (and added when missing)."""
    lines = template.splitlines()
    seen = set()
    for index, line in enumerate(lines):
        name = line.split("=", 1)[0].strip()
        if name in values and not line.lstrip().startswith("#"):
            lines[index] = f"{name}={values[name]}"
            seen.add(name)
    lines += [f"{name}={value}" for name, value in values.items() if name not in seen]
    return "\n".join(lines) + "\n"


def _read_env_file(path: Path) -> dict[str, str]:
    """systemd's EnvironmentFile= syntax, as far as the shipped file uses it (NAME=value, # comments)."""
    values = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def _unit_settings(text: str) -> dict[str, str]:
    return dict(re.findall(r"^(ExecStart|EnvironmentFile|WorkingDirectory)=(.+)$", text, flags=re.MULTILINE))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["up"])
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--smtp-port", type=int, default=25)
    arguments = parser.parse_args()
    admin_url = os.environ.get("COMPLAINTFLOW_TEST_POSTGRES_URL")
    if not admin_url:
        raise SystemExit("COMPLAINTFLOW_TEST_POSTGRES_URL is not set (run under scripts/with-postgres.sh)")
    topology = Topology(arguments.dir, admin_url, arguments.smtp_port).up()
    print(f"desk at {topology.url}  (admin / {topology.admin_password}); Ctrl+C stops it")
    try:
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        topology.down()


if __name__ == "__main__":
    main()
