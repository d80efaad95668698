"""The application factory: nothing is created at import time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Flask, request
from flask_babel import Babel
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from complaintflow.context import AppContext, make_context, utcnow
from engine.settings import load_settings
from webui import auth, db, formatting, labels, security
from webui.config import flask_config


def _locale() -> str:
    if current_user and current_user.is_authenticated:
        return str(current_user.language)
    return request.accept_languages.best_match(["en", "de"]) or "en"


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app. ``config`` may hold Flask keys plus ``CONTEXT`` (an AppContext) and ``CLOCK`` (a callable
    returning an aware datetime); without them the database comes from COMPLAINTFLOW_* variables."""
    config = dict(config or {})
    context: AppContext = config.pop("CONTEXT", None) or make_context(load_settings())
    clock: Callable[[], datetime] = config.pop("CLOCK", None) or utcnow
    app = Flask(__name__, instance_path=str(context.settings.instance_path.resolve()))
    app.config.update(flask_config(context.settings))
    app.config.update(config)
    app.config["CLOCK"] = clock
    hops = int(app.config.get("PROXY_HOPS", 0))
    if hops:
        # Behind a reverse proxy every request comes from the proxy's address: trust exactly the configured
        # number of hops of X-Forwarded-For/-Proto/-Host/-Port, so rate limits, sign-in throttling and the
        # audit log see the customer's address and links keep https. A client cannot forge more hops.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)  # type: ignore[method-assign]
    app.extensions["complaintflow"] = context

    Babel(app, locale_selector=_locale)
    db.init_app(app)
    security.init_app(app)
    auth.init_app(app)
    formatting.init_app(app)
    labels.init_app(app)

    from webui.views import (
        admin,
        attachments,
        case_intake,
        cases,
        cockpit,
        designer,
        inbox,
        kb,
        profile,
        task_page,
        tasks,
        workload,
    )

    for module in (tasks, workload, task_page, case_intake, cases, attachments, inbox, kb, admin, profile, designer):
        app.register_blueprint(module.bp)
    # The cockpit's routes live in two modules on one blueprint: cockpit imports cockpit_instances, so
    # importing cockpit above added both modules' routes.
    app.register_blueprint(cockpit.bp)
    from webui.views import designer_migration, designer_pages, designer_trial, designer_upload

    for module in (designer_pages, designer_upload, designer_trial, designer_migration):
        app.register_blueprint(module.bp)

    from webui.views import (
        admin_calendars,
        admin_company,
        admin_mail,
        admin_sla,
        admin_tokens,
        admin_webhooks,
        audit,
        privacy,
        register,
        returns,
        trends,
    )

    for module in (audit, privacy, admin_calendars, admin_sla, admin_tokens, admin_webhooks, admin_mail, admin_company):
        app.register_blueprint(module.bp)
    from webui.views import regulation

    app.register_blueprint(regulation.bp)
    # The complaint register and the regulators' returns (engine.services.reporting audits every access), and the
    # cockpit's root-cause trends.
    for module in (register, returns, trends):
        app.register_blueprint(module.bp)

    from webui import api, camunda8_rest, engine_rest, notices, portal

    portal.init_app(app)
    api.init_app(app)
    engine_rest.init_app(app)
    camunda8_rest.init_app(app)
    notices.init_app(app)
    if app.config.get("MAIL_CATCHER_DIR"):
        from webui.views import mails

        app.register_blueprint(mails.bp)
    from webui import db_outage

    db_outage.init_app(app)  # last: it wraps the views registered above
    return app
