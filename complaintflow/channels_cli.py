"""Channel commands: the outbox dispatcher, the e-mail intake, webhooks and API tokens."""

from __future__ import annotations

import logging
import signal
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import click

from complaintflow.cli_support import acting_user as _actor
from complaintflow.cli_support import app_context as _context
from complaintflow.cli_support import handle_errors
from complaintflow.context import AppContext, utcnow
from engine.domain.notification_channels import NOTIFICATION_CHANNELS
from notifications.settings import ChannelSettings, load_channel_settings


def channel_settings(context: AppContext) -> ChannelSettings:
    """Channel settings for the context's instance folder."""
    return load_channel_settings(context.settings.instance_path)


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()

    def handler(_signum: int, _frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
    return stop


@click.command("dispatch")
@click.option("--once", is_flag=True, help="Send what is due now and exit (default: keep polling).")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between polls.")
@click.pass_context
@handle_errors
def dispatch_command(ctx: click.Context, once: bool, interval: float) -> None:
    """Send queued notifications (SMTP, in-app list, webhooks) with retries; safe to run twice."""
    from notifications.dispatcher import Dispatcher

    context = _context(ctx)
    dispatcher = Dispatcher(context.sessions, channel_settings(context), utcnow)
    if once:
        report = dispatcher.run_once()
        click.echo(f"sent {report.sent}, retrying {report.retrying}, failed {report.failed}, skipped {report.skipped}")
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    click.echo(f"dispatching every {interval:g}s; stop with Ctrl+C")
    dispatcher.run_forever(_stop_on_signals(), interval)


@click.group("webhooks")
def webhooks_group() -> None:
    """Webhook endpoints per event type and their delivery log (admins)."""


@webhooks_group.command("add")
@click.argument("url")
@click.option("--event", "events", multiple=True, required=True, help="Event type (repeatable); * for all.")
@click.option("--description", default="", help="What the endpoint is for.")
@click.pass_context
@handle_errors
def webhooks_add(ctx: click.Context, url: str, events: tuple[str, ...], description: str) -> None:
    """Register an endpoint; prints its signing secret once."""
    from engine.services.delivery import webhooks

    with _context(ctx).session() as session:
        endpoint = webhooks.create_endpoint(session, _actor(ctx), url, list(events), utcnow(), description=description)
        click.echo(f"webhook {endpoint.id} for {', '.join(endpoint.events)} -> {endpoint.url}")
        click.echo(f"signing secret: {endpoint.secret}")


@webhooks_group.command("list")
@click.pass_context
@handle_errors
def webhooks_list(ctx: click.Context) -> None:
    """List endpoints."""
    from engine.services.delivery import webhooks

    with _context(ctx).session() as session:
        rows = webhooks.list_endpoints(session, _actor(ctx))
        for endpoint in rows:
            state = "active" if endpoint.active else "off"
            events = ",".join(endpoint.events)
            click.echo(f"{endpoint.id}  {state:<6}  {events}  {endpoint.url}  {endpoint.description}")
        if not rows:
            click.echo("no webhooks")


@webhooks_group.command("disable")
@click.argument("endpoint_id", type=int)
@click.pass_context
@handle_errors
def webhooks_disable(ctx: click.Context, endpoint_id: int) -> None:
    """Stop sending to an endpoint."""
    from engine.services.delivery import webhooks

    with _context(ctx).session() as session:
        webhooks.deactivate_endpoint(session, _actor(ctx), endpoint_id, utcnow())
    click.echo(f"webhook {endpoint_id} switched off")


@webhooks_group.command("log")
@click.option("--limit", default=50, show_default=True)
@click.option("--channel", type=click.Choice(NOTIFICATION_CHANNELS))
@click.pass_context
@handle_errors
def webhooks_log(ctx: click.Context, limit: int, channel: str | None) -> None:
    """Show the newest delivery attempts."""
    from engine.services.delivery import webhooks

    with _context(ctx).session() as session:
        for entry in webhooks.delivery_log(session, _actor(ctx), limit=limit, channel=channel):
            outcome = "ok" if entry.success else f"FAILED {entry.error or ''}"
            code = entry.status_code or ""
            when = f"{entry.at:%Y-%m-%d %H:%M:%S}"
            click.echo(f"{when}  #{entry.outbox_id}  {entry.channel:<7} {entry.target}  {code} {outcome}")


@click.command("mail-intake")
@click.option("--imap", "use_imap", is_flag=True, help="Poll the IMAP mailbox (COMPLAINTFLOW_IMAP_*) instead.")
@click.option("--once", is_flag=True, help="With --imap: one pass, then exit.")
@click.option("--interval", default=60.0, show_default=True, help="Seconds between IMAP polls.")
@click.pass_context
@handle_errors
def mail_intake_command(ctx: click.Context, use_imap: bool, once: bool, interval: float) -> None:
    """Take complaints in by e-mail: an SMTP listener (COMPLAINTFLOW_INTAKE_HOST/_PORT) or IMAP polling."""
    from notifications import mail_intake

    context = _context(ctx)
    settings = channel_settings(context)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if use_imap:
        if once:
            for result in mail_intake.poll_imap(context.sessions, settings, utcnow):
                click.echo(f"{result.outcome} {result.reference or ''} {result.detail}".strip())
            return
        mail_intake.run_imap(context.sessions, settings, utcnow, _stop_on_signals(), interval)
        return
    listener = mail_intake.smtp_listener(context.sessions, settings, utcnow)
    listener.start()
    click.echo(f"listening for mail on {settings.intake_host}:{settings.intake_port}; stop with Ctrl+C")
    stop = _stop_on_signals()
    try:
        while not stop.wait(1.0):
            pass
    finally:
        listener.stop()


@click.group("api-token")
def api_token_group() -> None:
    """Tokens for the REST API (admins)."""


@api_token_group.command("create")
@click.argument("name")
@click.option("--user", "username", required=True, help="The user name the token acts as (shown in the audit log).")
@click.option("--group", "groups", multiple=True, help="Group of that user (repeatable).")
@click.option("--role", "roles", multiple=True, help="Role of that user (repeatable).")
@click.option(
    "--scope",
    type=click.Choice(["read", "intake", "full"]),
    default="full",
    show_default=True,
    help="read: GET only; intake: also open complaints and add information; full: everything.",
)
@click.option("--expires", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Last day of validity (UTC).")
@click.pass_context
@handle_errors
def api_token_create(
    ctx: click.Context,
    name: str,
    username: str,
    groups: tuple[str, ...],
    roles: tuple[str, ...],
    scope: str,
    expires: datetime | None,
) -> None:
    """Create a token; it is printed once and only its hash is kept."""
    from engine.services.users import api_tokens

    # Valid through the given day: it expires at the following midnight UTC.
    expires_at = None if expires is None else expires.replace(tzinfo=UTC) + timedelta(days=1)
    with _context(ctx).session() as session:
        row, plain = api_tokens.create_token(
            session,
            _actor(ctx),
            name,
            username,
            utcnow(),
            groups=list(groups),
            roles=list(roles),
            scope=scope,
            expires_at=expires_at,
        )
    click.echo(f"token {row.id} ({row.name}) acts as {row.username}, scope {row.scope}")
    click.echo(plain)


@api_token_group.command("list")
@click.pass_context
@handle_errors
def api_token_list(ctx: click.Context) -> None:
    """List tokens (never their secrets)."""
    from engine.services.users import api_tokens

    with _context(ctx).session() as session:
        for row in api_tokens.list_tokens(session, _actor(ctx)):
            state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "active"
            if not row.revoked_at and row.expires_at:
                state = f"expires {row.expires_at:%Y-%m-%d %H:%M}"
            roles = ",".join(row.roles) or "-"
            click.echo(f"{row.id}  {row.name}  as {row.username}  roles={roles}  scope={row.scope}  {state}")


@api_token_group.command("revoke")
@click.argument("token_id", type=int)
@click.pass_context
@handle_errors
def api_token_revoke(ctx: click.Context, token_id: int) -> None:
    """Switch a token off for good."""
    from engine.services.users import api_tokens

    with _context(ctx).session() as session:
        api_tokens.revoke_token(session, _actor(ctx), token_id, utcnow())
    click.echo(f"token {token_id} revoked")
