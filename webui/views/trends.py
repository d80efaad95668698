"""Root-cause trends on the cockpit: complaints per product group and root cause over time (day, week or month).

Managers, team leads and admins (the cockpit's roles). Readers of the complaint register can follow each count to
the register filtered to that product group, root cause and bucket. Figures: ``engine.store.trends``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from flask import Blueprint, abort, render_template, request

from engine.domain.roles import COCKPIT_ROLES
from engine.store.kpi import BUCKETS
from engine.store.trends import root_cause_trends
from webui.auth import require_roles
from webui.db import db, now
from webui.query_args import day_arg

bp = Blueprint("trends", __name__, url_prefix="/cockpit/trends")


def _bucket_end(start: date, bucket: str, last: date) -> date:
    """The last day of the bucket starting on ``start`` (within the period)."""
    if bucket == "day":
        return start
    if bucket == "week":
        return min(start + timedelta(days=6), last)
    following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return min(following - timedelta(days=1), last)


@bp.get("/")
@require_roles(*COCKPIT_ROLES)
def index() -> str:
    today = now().astimezone(UTC).date()
    first = day_arg("start") or date(today.year - 1, today.month, 1)
    last = day_arg("end") or today
    bucket = request.args.get("bucket", "month")
    if last < first or (last - first).days > 3 * 366 or bucket not in BUCKETS:
        abort(400)
    start, end = datetime.combine(first, time(), UTC), datetime.combine(last + timedelta(days=1), time(), UTC)
    trends = root_cause_trends(db(), start, end, bucket)
    spans = [(max(day, first), _bucket_end(day, bucket, last)) for day in trends.buckets]
    return render_template(
        "cockpit/trends.html", trends=trends, spans=spans, start=first, end=last, bucket=bucket, buckets=BUCKETS
    )
