"""The global audit view: every audit entry, filtered, paginated, newest first, read-only; CSV and JSON exports.

Managers and admins only (docs/permissions.md). The per-complaint trail on the instance page links here with
the instance filled in.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from typing import Any

from flask import Blueprint, Response, abort, render_template, request, url_for

from engine.domain.roles import AUDIT_ROLES
from engine.store import audit_queries
from engine.store.audit_queries import AuditFilter, AuditRow
from webui.auth import require_roles
from webui.db import db
from webui.exports import csv_download
from webui.labels import CSV_HEADERS
from webui.query_args import day_arg

bp = Blueprint("audit", __name__, url_prefix="/audit")
FILTER_KEYS = ("user", "action", "start", "end", "reference", "instance")
PER_PAGE = 50
CSV_HEADER = ["id", "at", "actor", "action", "reference", "instance_id", "task_id", "element_id", "message",
              "before", "after"]  # fmt: skip


def _criteria() -> AuditFilter:
    """The filter from the query string; a bad date or instance number is a 400, not an empty list."""
    start, end = day_arg("start"), day_arg("end")
    if start and end and end < start:
        abort(400)
    instance = request.args.get("instance", "").strip()
    if instance and not instance.isdigit():
        abort(400)
    return AuditFilter(
        actor=request.args.get("user", "").strip() or None,
        action=request.args.get("action", "").strip() or None,
        start=datetime.combine(start, time(), UTC) if start else None,
        end=datetime.combine(end + timedelta(days=1), time(), UTC) if end else None,
        reference=request.args.get("reference", "").strip() or None,
        instance_id=int(instance) if instance else None,
    )


def _args() -> dict[str, str]:
    return {key: value for key, value in request.args.items() if key in FILTER_KEYS and value}


def _page() -> int:
    raw = request.args.get("page", "1")
    if not raw.isdigit() or int(raw) < 1:
        abort(400)
    return int(raw)


def _page_url(page: int) -> str:
    values: dict[str, Any] = {**_args(), "page": page}
    return url_for("audit.index", **values)


@bp.get("/")
@require_roles(*AUDIT_ROLES)
def index() -> str:
    session = db()
    result = audit_queries.search(session, _criteria(), _page(), PER_PAGE)
    return render_template(
        "audit/list.html",
        result=result,
        args=_args(),
        actions=audit_queries.actions(session),
        actors=audit_queries.actors(session),
        page_url=_page_url,
    )


def _record(row: AuditRow) -> dict[str, Any]:
    entry = row.entry
    return {
        "id": entry.id,
        "at": entry.at.isoformat(),
        "actor": entry.actor,
        "action": entry.action,
        "reference": row.reference,
        "instance_id": entry.instance_id,
        "task_id": entry.task_id,
        "element_id": entry.element_id,
        "message": entry.message,
        "before": entry.before,
        "after": entry.after,
    }


@bp.get("/export.csv")
@require_roles(*AUDIT_ROLES)
def export_csv() -> Response:
    """The filtered entries; before/after as JSON text, formula-like cells defused like every cockpit CSV."""
    rows = (
        [
            *(value for key, value in _record(row).items() if key not in ("before", "after")),
            json.dumps(row.entry.before, ensure_ascii=False) if row.entry.before is not None else "",
            json.dumps(row.entry.after, ensure_ascii=False) if row.entry.after is not None else "",
        ]
        for row in audit_queries.export_rows(db(), _criteria())
    )
    return csv_download("audit.csv", CSV_HEADER, rows, CSV_HEADERS)


@bp.get("/export.json")
@require_roles(*AUDIT_ROLES)
def export_json() -> Response:
    criteria = _criteria()
    entries = [_record(row) for row in audit_queries.export_rows(db(), criteria)]
    body = json.dumps({"filter": _args(), "count": len(entries), "entries": entries}, ensure_ascii=False, indent=1)
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = 'attachment; filename="audit.json"'
    return response
