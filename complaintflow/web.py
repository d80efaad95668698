"""Web commands: the development server, the production server (gunicorn), and user administration."""

from __future__ import annotations

import atexit
import os
import threading

import click

from complaintflow.context import AppContext, make_context, utcnow
from complaintflow.scheduler import start_background_scheduler
from engine.domain.actors import Actor
from engine.domain.errors import FormValidationError
from engine.domain.roles import ROLE_ADMIN, ROLE_AGENT, ROLE_DESIGNER, ROLE_MANAGER, ROLE_TEAM_LEAD, ROLES
from engine.services.users import accounts as user_service
from engine.store import schema

# Groups used by the lanes of the complaint processes (processes/README.md): name -> (label, is_department).
# Two lane groups share their names with the roles of the people in them; they are groups all the same.
AGENT_GROUP = "agent"  # not a role: a lane group
TEAM_LEAD_GROUP = "team_lead"  # not a role: a lane group
DEFAULT_GROUPS: dict[str, tuple[str, bool]] = {
    AGENT_GROUP: ("Agents (1st level)", False),
    TEAM_LEAD_GROUP: ("Team leads", False),
    "second_level": ("2nd level support", True),
    "technical": ("Technical department", True),
    "billing": ("Billing department", True),
    "legal": ("Legal department", True),
    "quality": ("Quality management", True),
}
DEPARTMENTS = tuple(name for name, (_label, department) in DEFAULT_GROUPS.items() if department)

DEMO_PASSWORD = "demo"
DEMO_USERS = [
    user_service.UserData(
        "agent",  # not a role: the user name
        "Anna Agent",
        "agent@example.org",
        DEMO_PASSWORD,
        "en",
        (ROLE_AGENT,),
        (AGENT_GROUP,),
    ),
    user_service.UserData(
        "lead", "Lea Lead", "lead@example.org", DEMO_PASSWORD, "en", (ROLE_TEAM_LEAD,), (TEAM_LEAD_GROUP, AGENT_GROUP)
    ),
    user_service.UserData("dept", "Dieter Department", "dept@example.org", DEMO_PASSWORD, "de", (), DEPARTMENTS),
    user_service.UserData(
        "manager",  # not a role: the user name
        "Mia Manager",
        "manager@example.org",
        DEMO_PASSWORD,
        "en",
        (ROLE_MANAGER,),
        (),
    ),
    user_service.UserData(
        "designer",  # not a role: the user name
        "Dana Designer",
        "designer@example.org",
        DEMO_PASSWORD,
        "en",
        (ROLE_DESIGNER,),
        (),
    ),
    user_service.UserData(
        "admin",  # not a role: the user name
        "Adam Admin",
        "admin@example.org",
        DEMO_PASSWORD,
        "en",
        (ROLE_ADMIN,),
        (),
    ),
]
OPERATOR = Actor("cli", roles=frozenset({ROLE_ADMIN}))


def _context(ctx: click.Context) -> AppContext:
    root = ctx.find_root()
    if root.obj is None:
        root.obj = make_context()
    context: AppContext = root.obj
    return context


def _fail_on_form_errors(error: FormValidationError) -> None:
    for field, message in error.errors.items():
        click.echo(f"error: {field}: {message}", err=True)
    raise SystemExit(1)


@click.command("create-user")
@click.argument("username")
@click.option("--name", "display_name", help="Full name (default: the user name).")
@click.option("--email", help="E-mail address.")
@click.option("--password", help="Password (asked for when omitted).")
@click.option("--role", "roles", multiple=True, type=click.Choice(ROLES), help="Role (repeatable).")
@click.option("--group", "groups", multiple=True, help="Group, e.g. agent or billing (repeatable).")
@click.option("--language", default="en", show_default=True, type=click.Choice(user_service.LANGUAGES))
@click.pass_context
def create_user_command(
    ctx: click.Context,
    username: str,
    display_name: str | None,
    email: str | None,
    password: str | None,
    roles: tuple[str, ...],
    groups: tuple[str, ...],
    language: str,
) -> None:
    """Create a user who can sign in to the web UI (groups are created when missing)."""
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    context = _context(ctx)
    schema.upgrade(context.engine)
    data = user_service.UserData(username, display_name or username, email, password, language, roles, groups)
    wanted = {name: DEFAULT_GROUPS.get(name, (name.replace("_", " ").capitalize(), False)) for name in groups}
    with context.session() as session:
        try:
            created = user_service.ensure_users(session, OPERATOR, wanted, [data], utcnow())
        except FormValidationError as error:
            _fail_on_form_errors(error)
            return
    if not created:
        click.echo(f"error: user {username} already exists", err=True)
        raise SystemExit(1)
    click.echo(f"user {username} created (roles: {', '.join(roles) or '-'}; groups: {', '.join(groups) or '-'})")


@click.command("demo-users")
@click.pass_context
def demo_users_command(ctx: click.Context) -> None:
    """Create the demo users agent, lead, dept, manager, designer and admin (password "demo") if missing."""
    context = _context(ctx)
    schema.upgrade(context.engine)
    with context.session() as session:
        created = {
            user.username for user in user_service.ensure_users(session, OPERATOR, DEFAULT_GROUPS, DEMO_USERS, utcnow())
        }
    for data in DEMO_USERS:
        state = "created" if data.username in created else "exists already"
        roles = ", ".join(data.roles) or "department member"
        click.echo(f"  {data.username:<9} {roles:<20} groups: {', '.join(data.groups) or '-':<50} {state}")
    click.echo(f'password of new demo users: "{DEMO_PASSWORD}"')


def _start_background_dispatcher(context: AppContext) -> None:
    """Send queued notifications from a daemon thread of the development server."""
    from complaintflow.channels_cli import channel_settings
    from notifications.dispatcher import Dispatcher

    dispatcher = Dispatcher(context.sessions, channel_settings(context), utcnow)
    stop = threading.Event()
    atexit.register(stop.set)
    threading.Thread(target=dispatcher.run_forever, args=(stop, 2.0), name="outbox-dispatcher", daemon=True).start()


def _start_mail_catcher(context: AppContext) -> None:
    """No SMTP server configured: keep the mails in the instance folder instead of retrying localhost:25.

    The settings point the dispatcher at the catcher; the reloader child inherits them with the environment.
    """
    from notifications.mail_catcher import FOLDER_NAME, start_mail_catcher

    folder = context.settings.instance_path / FOLDER_NAME
    catcher = start_mail_catcher(folder)
    atexit.register(catcher.stop)
    os.environ.update(
        {
            "COMPLAINTFLOW_SMTP_HOST": "127.0.0.1",
            "COMPLAINTFLOW_SMTP_PORT": str(catcher.port),
            "COMPLAINTFLOW_SMTP_SECURITY": "none",
            "COMPLAINTFLOW_MAIL_CATCHER_DIR": str(folder.resolve()),
        }
    )


def _start_mail_intake(context: AppContext) -> str:
    """The SMTP listener of `complaintflow mail-intake`, in this process: `make run` takes complaints by e-mail.

    Returns the line to print; a port that is taken (another app running) leaves the web app running without it.
    """
    from complaintflow.channels_cli import channel_settings
    from notifications import mail_intake

    settings = channel_settings(context)
    listener = mail_intake.smtp_listener(context.sessions, settings, utcnow)
    try:
        listener.start()
    except (OSError, RuntimeError) as error:
        return f"  e-mail intake NOT started ({settings.intake_host}:{settings.intake_port}: {error})"
    atexit.register(listener.stop)
    return f"  complaints by e-mail:  smtp://{settings.intake_host}:{settings.intake_port} (any address)"


def _is_reloader_child() -> bool:
    return os.environ.get("WERKZEUG_RUN_MAIN") == "true"


@click.command("run")
@click.option("--debug", is_flag=True, help="Reload on code changes and show the interactive debugger.")
@click.pass_context
def run_command(ctx: click.Context, debug: bool) -> None:
    """Development server on 127.0.0.1:$COMPLAINTFLOW_PORT (default 5000)."""
    from webui import create_app

    context = _context(ctx)
    port = context.settings.port
    # The development server speaks plain HTTP: a Secure-only cookie would not come back from a browser
    # that does not treat the address as secure, so it is off here unless asked for; `serve` keeps it on.
    os.environ.setdefault("COMPLAINTFLOW_SECURE_COOKIES", "0")
    # Links in mails point at this server, whatever port it runs on.
    os.environ.setdefault("COMPLAINTFLOW_PUBLIC_URL", f"http://127.0.0.1:{port}")
    if not _is_reloader_child() and not os.environ.get("COMPLAINTFLOW_SMTP_HOST"):
        _start_mail_catcher(context)
    app = create_app({"CONTEXT": context})
    if not _is_reloader_child():
        schema.upgrade(context.engine)
        click.echo(f"complaintflow is running at http://127.0.0.1:{port}/")
        click.echo(f"  customer portal:  http://127.0.0.1:{port}/portal/")
        click.echo(f"  staff sign-in:    http://127.0.0.1:{port}/sign-in")
        click.echo('sign in as agent, lead, dept, manager, designer or admin with the password "demo"')
        click.echo("(create them with `complaintflow demo-users`; press Ctrl+C to stop)")
        if os.environ.get("COMPLAINTFLOW_MAIL_CATCHER_DIR"):
            click.echo(f"  mails are kept by a local mail catcher: read them at http://127.0.0.1:{port}/mails/")
        # Once per `complaintflow run`: this branch never runs in the reloader child, so a code reload does not
        # start a second scheduler or dispatcher. Production runs both as their own processes.
        click.echo(_start_mail_intake(context))
        start_background_scheduler(context)
        _start_background_dispatcher(context)
        click.echo("timers, notifications and e-mail intake are handled in this process")
    app.run(host="127.0.0.1", port=port, debug=debug, use_reloader=debug)


@click.command("serve")
@click.option(
    "--workers",
    type=int,
    default=lambda: int(os.environ.get("COMPLAINTFLOW_WORKERS", "4")),
    show_default="$COMPLAINTFLOW_WORKERS or 4",
    help="Number of gunicorn worker processes.",
)
@click.option(
    "--bind",
    default=lambda: os.environ.get("COMPLAINTFLOW_BIND", ""),
    help="Address to listen on (default 127.0.0.1:$COMPLAINTFLOW_PORT; $COMPLAINTFLOW_BIND).",
)
@click.option(
    "--threads",
    type=int,
    default=lambda: int(os.environ.get("COMPLAINTFLOW_THREADS", "4")),
    show_default="$COMPLAINTFLOW_THREADS or 4",
    help="Threads per worker process (gthread workers).",
)
@click.pass_context
def serve_command(ctx: click.Context, workers: int, bind: str, threads: int) -> None:
    """Production server: gunicorn, no scheduler or dispatcher inside (run `complaintflow scheduler` and
    `complaintflow dispatch` as processes of their own; several of each may run side by side)."""
    from complaintflow.gunicorn_app import serve

    context = _context(ctx)
    schema.upgrade(context.engine)
    bind = bind or f"127.0.0.1:{context.settings.port}"
    click.echo(f"complaintflow serving on http://{bind}/ with {workers} workers x {threads} threads")
    serve(bind, workers, threads)
