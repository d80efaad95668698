"""Administration of business calendars: hours per weekday, time zone, holidays, closing days, recompute."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.dates import get_day_names
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from engine.domain.calendars import calendar_named, known_calendars
from engine.domain.errors import FormValidationError, NotFound
from engine.domain.roles import ROLE_ADMIN
from engine.services.sla import business_calendars, calendar_admin
from engine.services.sla.business_calendars import CalendarData
from engine.services.users import accounts as user_service
from webui.auth import actor, require_roles
from webui.case_forms import apply_errors
from webui.choices import options
from webui.db import db, now

bp = Blueprint("admin_calendars", __name__, url_prefix="/admin/calendars")

WEEKDAY_LABELS = (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"), _l("Saturday"),
                  _l("Sunday"))  # fmt: skip
HOURS_HINT = _l("e.g. 08:00-12:00, 13:00-17:00; empty: closed")


def _short_weekdays() -> list[str]:
    """Mo., Di., ... in the user's language, Monday first (CLDR's abbreviations; slicing names breaks some)."""
    names = get_day_names("abbreviated", locale=get_locale())
    return [names[day] for day in range(7)]


class CalendarForm(FlaskForm):
    name = StringField(_l("Name (as the SLA targets name it)"), validators=[DataRequired(), Length(max=40)])
    team = SelectField(_l("Team"), validators=[Optional()])
    timezone = StringField(_l("Time zone"), validators=[DataRequired(), Length(max=64)], default="Europe/Berlin")
    always_open = BooleanField(_l("Open round the clock (24/7)"))
    week_0 = StringField(WEEKDAY_LABELS[0], description=HOURS_HINT)
    week_1 = StringField(WEEKDAY_LABELS[1], description=HOURS_HINT)
    week_2 = StringField(WEEKDAY_LABELS[2], description=HOURS_HINT)
    week_3 = StringField(WEEKDAY_LABELS[3], description=HOURS_HINT)
    week_4 = StringField(WEEKDAY_LABELS[4], description=HOURS_HINT)
    week_5 = StringField(WEEKDAY_LABELS[5], description=HOURS_HINT)
    week_6 = StringField(WEEKDAY_LABELS[6], description=HOURS_HINT)
    country = StringField(_l("Public holidays: country (ISO code, e.g. DE)"), validators=[Optional(), Length(max=10)])
    subdivision = StringField(_l("State or region (e.g. NW)"), validators=[Optional(), Length(max=10)])
    closing_days = TextAreaField(_l("Company closing days (one date YYYY-MM-DD per line)"))


# Wordings this page prefers to the service's own (by message code): they name what the field expects.
_CALENDAR_TEXT = {
    "calendar.unknown_timezone": _l("unknown time zone; use a name such as Europe/Berlin"),
    "calendar.unknown_country": _l("the holidays package does not know this country or region"),
}


def _form(data: CalendarData | None = None) -> CalendarForm:
    form = CalendarForm() if data is None else CalendarForm(formdata=None)
    form.team.choices = [*options([("", "–")]), *options((g.name, g.label) for g in user_service.list_groups(db()))]
    if data is not None:
        form.name.data, form.team.data, form.timezone.data = data.name, data.team or "", data.timezone
        form.always_open.data = data.always_open
        for index, spec in enumerate(data.week):
            getattr(form, f"week_{index}").data = spec
        form.country.data, form.subdivision.data = data.country or "", data.subdivision or ""
        form.closing_days.data = "\n".join(data.closing_days)
    return form


def _data(form: CalendarForm) -> CalendarData:
    return CalendarData(
        name=(form.name.data or "").strip(),
        timezone=(form.timezone.data or "").strip(),
        week=[(getattr(form, f"week_{index}").data or "").strip() for index in range(7)],
        country=form.country.data or None,
        subdivision=form.subdivision.data or None,
        closing_days=[line.strip() for line in (form.closing_days.data or "").splitlines() if line.strip()],
        always_open=bool(form.always_open.data),
        team=form.team.data or None,
    )


@bp.route("/")
@require_roles(ROLE_ADMIN)
def index() -> Any:
    """Stored calendars (editable) and the built-in or file ones (copy to edit), each with a preview."""
    business_calendars.sync_registry(db())
    stored = business_calendars.current_versions(db())
    rows = []
    for name in sorted(set(known_calendars()) | set(stored)):
        calendar = calendar_named(name)
        rows.append({
            "name": name,
            "row": stored.get(name),
            "calendar": calendar,
            "preview": business_calendars.business_days_from(calendar, now(), 5),
        })  # fmt: skip
    return render_template("admin/calendars.html", rows=rows, weekdays=_short_weekdays(), calendars_file=_file())


def _file() -> Path | None:
    path: Path | None = current_app.extensions["complaintflow"].settings.calendars_file
    return path


@bp.route("/import", methods=["POST"])
@require_roles(ROLE_ADMIN)
def import_file() -> Any:
    """Store the calendars of COMPLAINTFLOW_CALENDARS_FILE in the database (each as a new version)."""
    path = _file()
    if path is None:
        abort(404)
    try:
        names = calendar_admin.import_calendars(db(), actor(), path, now())
    except FormValidationError as error:
        flash(error.errors.get("file", ""), "error")
    else:
        flash(_("Imported from the settings file: %(names)s.", names=", ".join(names)), "success")
    return redirect(url_for("admin_calendars.index"))


@bp.route("/new", methods=["GET", "POST"])
@require_roles(ROLE_ADMIN)
def new() -> Any:
    copy = request.args.get("copy")
    data = None
    if request.method == "GET" and copy:
        try:
            data = business_calendars.data_from_calendar(copy, calendar_named(copy))
        except ValueError:
            abort(404)
    return _edit(_form(data), None)


@bp.route("/<name>", methods=["GET", "POST"])
@require_roles(ROLE_ADMIN)
def edit(name: str) -> Any:
    row = business_calendars.current_versions(db()).get(name)
    if row is None:
        abort(404)
    form = _form(business_calendars.data_from_row(row)) if request.method == "GET" else _form()
    if request.method == "POST":
        form.name.data = name
    return _edit(form, row)


def _edit(form: CalendarForm, row: Any) -> Any:
    status = 200
    preview = holidays = None
    if request.method == "POST" and request.args.get("preview"):
        form.validate()  # show the field errors with the preview, save nothing
    elif request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                saved = calendar_admin.save_calendar(db(), actor(), _data(form), now())
            except FormValidationError as error:
                apply_errors(form, error.errors, overrides=_CALENDAR_TEXT)
            else:
                flash(_("Calendar %(name)s saved (version %(revision)d).", name=saved.name, revision=saved.revision),
                      "success")  # fmt: skip
                return redirect(url_for("admin_calendars.recompute", name=saved.name))
    try:
        calendar = business_calendars.build_calendar(_data(form))
    except FormValidationError:
        calendar = None
    if calendar is not None:
        preview = business_calendars.business_days_from(calendar, now(), 5)
        holidays = business_calendars.upcoming_holidays(calendar, now().date(), str(get_locale() or "en"))
    page = render_template("admin/calendar_form.html", form=form, row=row, preview=preview, holidays=holidays)
    return page, status


@bp.route("/<name>/recompute", methods=["GET", "POST"])
@require_roles(ROLE_ADMIN)
def recompute(name: str) -> Any:
    """GET: how many running deadlines an earlier version still holds (dry run); POST: move them."""
    dry_run = request.method == "GET"
    try:
        result = calendar_admin.recompute_deadlines(db(), actor(), name, now(), dry_run=dry_run)
    except NotFound:
        abort(404)
    if not dry_run:
        flash(ngettext("Deadlines of %(num)d complaint recomputed.", "Deadlines of %(num)d complaints recomputed.",
                       result.complaints), "success")  # fmt: skip
        return redirect(url_for("admin_calendars.index"))
    return render_template("admin/calendar_recompute.html", name=name, result=result)


@bp.route("/<name>/delete", methods=["POST"])
@require_roles(ROLE_ADMIN)
def delete(name: str) -> Any:
    try:
        calendar_admin.delete_calendar(db(), actor(), name, now())
    except NotFound:
        abort(404)
    flash(_("Calendar %(name)s deleted; running deadlines keep the version they started on.", name=name), "success")
    return redirect(url_for("admin_calendars.index"))
