"""The complaint register: every complaint with the fields the complaint rules name, filterable, read-only,
as a page and as CSV or XLSX. Managers and admins only; every access is audited before anything is read
(``engine.services.reporting.access``). The regulators' returns are in ``webui.views.returns``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for

from engine.domain.classification import OUTCOMES, PRODUCT_GROUPS, ROOT_CAUSES
from engine.domain.errors import PermissionDenied
from engine.domain.roles import REGISTER_ROLES
from engine.services.reporting.access import record_access
from engine.store import register
from engine.store.complaints import CHANNELS
from webui.auth import actor, require_roles
from webui.db import db, now
from webui.exports import download
from webui.labels import CATEGORY_LABELS, REGISTER_HEADERS
from webui.query_args import day_arg

bp = Blueprint("register", __name__, url_prefix="/register")
PER_PAGE = 50
FILTER_KEYS = ("start", "end", *register.DIMENSIONS, "state", "within", "reference")
CHOICES = {
    "channel": CHANNELS,
    "product_group": PRODUCT_GROUPS,
    "category": tuple(CATEGORY_LABELS),
    "root_cause": ROOT_CAUSES,
    "outcome": OUTCOMES,
}


def criteria() -> register.RegisterFilter:
    """The filter from the query string; a malformed date, state or flag is a 400, not an empty register."""
    start, end = day_arg("start"), day_arg("end")
    if start and end and end < start:
        abort(400)
    state = request.args.get("state") or None
    within = request.args.get("within") or None
    if state not in (None, *register.STATES) or within not in (None, "yes", "no"):
        abort(400)
    return register.RegisterFilter(
        start=datetime.combine(start, time(), UTC) if start else None,
        end=datetime.combine(end + timedelta(days=1), time(), UTC) if end else None,
        values=tuple((key, value) for key in register.DIMENSIONS if (value := request.args.get(key, "").strip())),
        state=state,
        within_legal_deadline=None if within is None else within == "yes",
        reference=request.args.get("reference", "").strip() or None,
    )


def args() -> dict[str, str]:
    return {key: value for key, value in request.args.items() if key in FILTER_KEYS and value}


def audited(what: str, details: dict[str, Any]) -> None:
    """Audit this access (committed first); a reader without the role gets 403."""
    try:
        record_access(db(), actor(), what, now(), details)
    except PermissionDenied:
        abort(403)


def page_number() -> int:
    raw = request.args.get("page", "1")
    if not raw.isdigit() or int(raw) < 1:
        abort(400)
    return int(raw)


def keyset() -> tuple[datetime, int] | None:
    """The ``after`` cursor of a "Next" link (the previous page's last row); a malformed one is a 400."""
    raw = request.args.get("after")
    if not raw:
        return None
    try:
        return register.parse_cursor(raw)
    except ValueError:
        abort(400)


def page_link(endpoint: str, result: register.RegisterPage, page: int, **values: Any) -> str:
    """The link to ``page``: "Next" carries the keyset of this page's last row (read from the index however deep
    the page is), any other page its number."""
    cursor = result.cursor() if page == result.page + 1 else None
    if cursor:
        values["after"] = cursor
    return url_for(endpoint, **values, page=page)


@bp.get("/")
@require_roles(*REGISTER_ROLES)
def index() -> str:
    chosen = criteria()
    number = page_number()
    audited("register", {"filter": chosen.described(), "page": number})
    result = register.page(db(), chosen, number, PER_PAGE, after=keyset())
    return render_template(
        "register/list.html",
        result=result,
        args=args(),
        choices=CHOICES,
        columns=register.COLUMNS,
        headers=REGISTER_HEADERS,
        page_url=lambda page: page_link("register.index", result, page, **args()),
    )


@bp.get("/export.csv", defaults={"kind": "csv"})
@bp.get("/export.xlsx", defaults={"kind": "xlsx"})
@require_roles(*REGISTER_ROLES)
def export(kind: str) -> Response:
    chosen = criteria()
    audited("register_export", {"filter": chosen.described(), "format": kind})
    if kind != "csv":
        rows = (row.values for row in register.export_rows(db(), chosen))
        return download(kind, "complaint-register", register.COLUMNS, rows, REGISTER_HEADERS)
    return download(kind, "complaint-register", register.COLUMNS, _streamed(chosen), REGISTER_HEADERS, stream=True)


def _streamed(chosen: register.RegisterFilter) -> Iterator[tuple[Any, ...]]:
    """The CSV's rows read while they are sent, through a session of their own: the request's session is closed
    when the view returns, before the first row leaves; this one is closed after the last row, or when the client
    goes away (the server closes the response, which closes this generator)."""
    session = current_app.extensions["complaintflow"].sessions()
    try:
        for row in register.export_rows(session, chosen):
            yield row.values
    finally:
        session.close()
