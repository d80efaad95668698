"""Template helpers: dates in the user's language and time zone, ages, traffic lights, labels."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from flask import Flask, current_app, g, request, url_for
from flask_babel import format_date, format_datetime, format_decimal, format_timedelta, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from engine.domain import roles
from engine.domain.roles import (
    ROLE_ADMIN,
    ROLE_AGENT,
    ROLE_DESIGNER,
    ROLE_MANAGER,
    ROLE_TEAM_LEAD,
    TEMPLATE_EDITOR_ROLES,
)
from engine.domain.sla import traffic_light_for
from engine.services.delivery import notices
from engine.store.tasklist import COUNT_CAP, SAVED_FILTER_COUNT_CAP
from engine.store.users import User
from webui.auth import actor, is_case_worker
from webui.choices import LANGUAGE_PAIRS
from webui.db import db, now
from webui.durations import format_target

LIGHT_LABELS = {"green": _l("On track"), "amber": _l("Due soon"), "red": _l("Overdue")}
PRIORITY_LABELS = {"low": _l("Low"), "normal": _l("Normal"), "high": _l("High"), "critical": _l("Critical")}
CHANNEL_LABELS = {
    "web": _l("Web form"),
    "email": _l("E-mail"),
    "api": _l("API"),
    "phone": _l("Phone"),
    "letter": _l("Letter"),
    "in_person": _l("In person"),
    "chat": _l("Chat"),
    "social_media": _l("Social media"),
}
ROLE_LABELS = {
    ROLE_AGENT: _l("Agent"),
    ROLE_TEAM_LEAD: _l("Team lead"),
    ROLE_MANAGER: _l("Manager"),
    ROLE_DESIGNER: _l("Process designer"),
    ROLE_ADMIN: _l("Administrator"),
}


def zone_name(moment: datetime) -> str:
    """The app's time zone at that moment as people read it ("CET", "CEST"): every page shows times in it."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).tzname() or ""


def when(moment: datetime | None) -> str:
    """Date and time to the minute in the app's time zone, with the zone shown."""
    return f"{format_datetime(moment, 'short')} {zone_name(moment)}" if moment else "–"


def when_for(moment: datetime | None, language: str) -> str:
    """Like :func:`when`, in a given language: the portal speaks the customer's language, not a user's."""
    if moment is None:
        return "–"
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return f"{babel_dates.format_datetime(aware, 'short', tzinfo=zone, locale=language)} {zone_name(aware)}"


def when_exact(moment: datetime | None) -> str:
    """Date and time to the second (audit trails), in the app's time zone, with the zone shown."""
    return f"{format_datetime(moment, 'medium')} {zone_name(moment)}" if moment else "–"


def day(moment: datetime | None) -> str:
    return format_date(moment, "medium") if moment else "–"


def age(moment: datetime | None) -> str:
    if moment is None:
        return "–"
    return format_timedelta(now() - moment, granularity="minute", threshold=1.0)


def person(username: str | None) -> str:
    """A user as people know them: the display name (one query a request for all of them), else the login."""
    if not username:
        return ""
    names = g.get("display_names")
    if names is None:
        rows = db().execute(select(User.username, User.display_name))
        names = g.display_names = {login: shown for login, shown in rows}
    return names.get(username) or username


def number(value: float | int | None) -> str:
    """A number in the user's locale (1.234,5 in German)."""
    return format_decimal(value) if value is not None else "–"


def as_json(value: Any) -> str:
    """Stored values as JSON people read: ``Lieferung unvollständig``, never ``unvollst\\u00e4ndig``.

    Jinja's ``tojson`` escapes every non-ASCII character (it is made for scripts); pages show values through
    this filter instead and autoescaping keeps them safe in HTML.
    """
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def sla_target(spec: str | None) -> str:
    """An SLA target such as ``4 business hours`` or ``PT2H`` in the user's language (as the engine reads it)."""
    return format_target(spec) if spec else "–"


def count_label(number: int, cap: int = COUNT_CAP, lower_bound: bool = False) -> str:
    """A count that stopped at its cap reads "200+"; one known to be at least ``number`` reads "37+"."""
    if number > cap:
        return f"{cap}+"
    return f"{number}+" if lower_bound and number else str(number)


def light_of(created_at: datetime, due_at: datetime | None) -> str:
    return traffic_light_for(created_at, due_at, now()).value


def light_badge(light: str) -> Markup:
    label = LIGHT_LABELS.get(light, light)
    return Markup('<span class="light light-{0}"><span class="dot" aria-hidden="true"></span>{1}</span>').format(
        light, label
    )


def page_url(**changes: Any) -> str:
    """The current URL with some query arguments changed (pagination, sorting)."""
    args = request.args.to_dict()
    args.update({key: str(value) for key, value in changes.items() if value is not None})
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
    return url_for(request.endpoint or "auth.home", **(request.view_args or {}), **args)  # type: ignore[arg-type]


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        when=when,
        when_exact=when_exact,
        when_for=when_for,
        day=day,
        age=age,
        count_label=count_label,
        number=number,
        person=person,
        as_json=as_json,
        sla_target=sla_target,
        sla_input=format_target,
    )
    app.jinja_env.globals.update(
        get_locale=get_locale,
        SAVED_FILTER_COUNT_CAP=SAVED_FILTER_COUNT_CAP,
        light_of=light_of,
        light_badge=light_badge,
        page_url=page_url,
        PRIORITY_LABELS=PRIORITY_LABELS,
        CHANNEL_LABELS=CHANNEL_LABELS,
        ROLE_LABELS=ROLE_LABELS,
        # Templates name permission sets, never role strings: current_user.has_role(*roles.AUDIT_ROLES).
        roles=roles,
        LIGHT_LABELS=LIGHT_LABELS,
        # Each language named in its own language, as the language menus show it.
        LANGUAGE_NAMES=dict(LANGUAGE_PAIRS),
    )

    @app.context_processor
    def navigation() -> dict[str, Any]:
        user = current_user
        signed_in = bool(user and user.is_authenticated)
        return {
            "nav_case_worker": signed_in and is_case_worker(user),
            "nav_department": signed_in and bool(user.departments),
            "nav_admin": signed_in and user.has_role(ROLE_ADMIN),
            "nav_templates": signed_in and user.has_role(*TEMPLATE_EDITOR_ROLES),
            "admin_endpoints": app.view_functions,
            # The notification list is in the header with the number not read yet.
            "nav_unread": notices.unread_count(db(), actor()) if signed_in else 0,
        }
