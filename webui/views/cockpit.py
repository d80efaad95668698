"""Manager cockpit: the KPI dashboard with CSV downloads, and process monitoring with the incident retry.

Managers, team leads and admins only (agents get 403). Every figure comes from the SQL aggregates in
``engine.store.kpi`` and ``engine.store.monitoring``; the write here, retrying an incident, goes through
``engine.services.instances.lifecycle.retry_instance``, which checks the role again, audits and commits. The
other instance actions (suspend, resume, cancel, reassign) and the heatmap are in ``webui.views.cockpit_instances``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse

from designer_export import api as designer_api
from engine.domain.errors import InvalidState, NotFound, PermissionDenied
from engine.domain.roles import COCKPIT_ROLES
from engine.services.instances.lifecycle import retry_instance
from engine.store import complaint_export, kpi, kpi_dashboard, kpi_series, monitoring, queries, tasklist
from engine.store.complaints import CHANNELS, Complaint
from engine.store.external_task_queries import topic_summary
from engine.store.models import INSTANCE_INCIDENT, INSTANCE_STATUSES
from engine.store.users import Group
from webui import charts
from webui.auth import actor, require_roles
from webui.db import db, now
from webui.diagram_text import diagram_texts_of_instance, translated_activities
from webui.engine_text import engine_message
from webui.exports import csv_download
from webui.formatting import LIGHT_LABELS
from webui.labels import CSV_HEADERS, GROUP_LABELS, label
from webui.query_args import day_arg
from webui.views.cockpit_blueprint import bp
from webui.views.cockpit_instances import reassign_choices

FILTER_KEYS = ("start", "end", "bucket", "channel", "category", "team")  # kept in the CSV links
Table = tuple[list[str], list[list[Any]]]


def _filter() -> kpi.KpiFilter:
    """The period from ``start``/``end`` (inclusive days, default the last 30 days) and the dimension filters."""
    today = now().astimezone(UTC).date()
    first, last = day_arg("start") or today - timedelta(days=29), day_arg("end") or today
    if last < first or (last - first).days > 3 * 366:
        abort(400)
    return kpi.KpiFilter(
        datetime.combine(first, time(), UTC),
        datetime.combine(last + timedelta(days=1), time(), UTC),
        channel=request.args.get("channel") or None,
        category=request.args.get("category") or None,
        team=request.args.get("team") or None,
    )


def _bucket() -> str:
    bucket = request.args.get("bucket", "day")
    if bucket not in kpi.BUCKETS:
        abort(400)
    return bucket


def _tables(name: str, criteria: kpi.KpiFilter) -> Table:
    """The numbers behind one chart, as CSV header and rows."""
    session = db()
    if name == "over_time":
        series = kpi_series.over_time(session, criteria, _bucket())
        return ["period_start", "new", "closed", "open"], [[b.start, b.new, b.closed, b.open] for b in series]
    if name == "backlog":
        return ["traffic_light", "complaints"], [
            list(i) for i in kpi.backlog_by_light(session, criteria, now()).items()
        ]
    if name == "assignment":
        return ["tasks", "count"], [list(item) for item in kpi.task_assignment(session, criteria).items()]
    if name == "csat":
        return ["csat", "answers"], [list(item) for item in kpi.kpis(session, criteria).csat_distribution.items()]
    if name in ("category", "root_cause"):
        return [name, "complaints"], [list(item) for item in kpi.top(session, criteria, name)]
    if name == "complainants":
        return ["customer_id", "customer", "complaints"], [list(row) for row in kpi.top_complainants(session, criteria)]
    if name == "teams":
        return ["team", "opened", "resolved", "sla_met_percent"], [
            [t.team, t.created, t.resolved, t.sla_met] for t in kpi.per_team(session, criteria)
        ]
    if name == "agents":
        return ["user", "tasks_completed"], [list(item) for item in kpi.per_agent(session, criteria)]
    abort(404)


CHARTS = ("over_time", "backlog", "assignment", "csat", "category", "root_cause", "complainants", "teams", "agents")


def _csv(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    """Column ids and ISO dates for English users and ``?raw=1``, the user's language otherwise (webui.exports)."""
    return csv_download(filename, header, rows, CSV_HEADERS)


@bp.get("/")
@require_roles(*COCKPIT_ROLES)
def dashboard() -> str:
    criteria, bucket = _filter(), _bucket()
    session = db()
    # One call computes every figure once (one pass over the period for the counts; see engine.store.kpi).
    board = kpi_dashboard.dashboard(session, criteria, bucket, now())
    figures, series = board.figures, board.series
    tables: dict[str, list[Any]] = {
        "backlog": list(board.backlog.items()),
        "assignment": list(board.assignment.items()),
        "category": board.categories,
        "root_cause": board.root_causes,
        "agents": board.agents,
        "complainants": board.complainants,
        "teams": [[t.team, t.created, t.resolved, t.sla_met] for t in board.teams],
    }
    labels = [b.start.isoformat() for b in series]
    pictures = {
        "over_time": charts.line_chart(
            labels,
            {
                _("New"): [b.new for b in series],
                _("Closed"): [b.closed for b in series],
                _("Open"): [b.open for b in series],
            },
            _("Complaints over time"),
        ),
        "csat": charts.bar_chart([(str(k), v) for k, v in figures.csat_distribution.items()], _("CSAT answers")),
        "backlog": charts.bar_chart(
            [(str(LIGHT_LABELS.get(row[0], row[0])), row[1]) for row in tables["backlog"]],
            _("Backlog by traffic light"),
            {str(LIGHT_LABELS.get(key, key)): colour for key, colour in charts.LIGHT_COLOURS.items()},
        ),
    }
    titles = {"assignment": _("Tasks by assignment"), "category": _("Most frequent categories"),
              "root_cause": _("Most frequent root causes"), "agents": _("Tasks completed per person")}  # fmt: skip
    for name in ("assignment", "category", "root_cause", "agents"):
        kind = name if name in ("category", "root_cause") else "assignment" if name == "assignment" else None
        rows = [(label(r[0], kind) if kind else str(r[0]), r[1]) for r in tables[name]]
        pictures[name] = charts.bar_chart(rows, titles[name])
    pictures["complainants"] = charts.bar_chart(
        [(str(r[1]), r[2]) for r in tables["complainants"]], _("Most frequent complainants")
    )
    return render_template(
        "cockpit/dashboard.html",
        figures=figures,
        pictures=pictures,
        teams=tables["teams"],
        criteria=criteria,
        period_end=criteria.end.date() - timedelta(days=1),
        bucket=bucket,
        args={key: value for key, value in request.args.items() if key in FILTER_KEYS},
        channels=CHANNELS,
        # Loose index scans: one probe per distinct value instead of DISTINCT over every complaint.
        categories=tasklist.distinct_values(session, Complaint.category),
        team_names=tasklist.distinct_values(session, Complaint.responsible_group),
        # The shipped lane groups in the user's language, other groups by the label an admin gave them.
        group_labels={
            name: str(GROUP_LABELS.get(name, text)) for name, text in session.execute(select(Group.name, Group.label))
        },
    )


@bp.get("/charts/<name>.csv")
@require_roles(*COCKPIT_ROLES)
def chart_csv(name: str) -> Response:
    if name not in CHARTS:
        abort(404)
    header, rows = _tables(name, _filter())
    return _csv(f"{name}.csv", header, rows)


@bp.get("/complaints.csv")
@require_roles(*COCKPIT_ROLES)
def complaints_csv() -> Response:
    """Every column of every complaint opened in the period (and filters), with the customer's name and e-mail."""
    header, rows = complaint_export.complaint_rows(db(), _filter())
    return _csv("complaints.csv", header, rows)


@bp.get("/processes")
@require_roles(*COCKPIT_ROLES)
def processes() -> str:
    return render_template(
        "cockpit/processes.html",
        versions=monitoring.version_counts(db()),
        statuses=INSTANCE_STATUSES,
        topics=topic_summary(db(), now()),
    )


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        abort(400)
    return int(raw)


@bp.get("/instances")
@require_roles(*COCKPIT_ROLES)
def instances() -> str:
    status = request.args.get("status") or None
    if status is not None and status not in INSTANCE_STATUSES:
        abort(400)
    criteria = monitoring.InstanceFilter(
        process_key=request.args.get("process") or None,
        version=_int_arg("version"),
        status=status,
        overdue=request.args.get("overdue") == "1",
        search=request.args.get("q") or None,
        activity=request.args.get("activity") or None,
        older_than_days=_int_arg("age"),
        now=now(),
    )
    # Shown by name (the newest version's), chosen by key.
    names = {
        v.definition.process_key: v.definition.name or v.definition.process_key for v in monitoring.version_counts(db())
    }
    keys = sorted(names.items(), key=lambda pair: pair[1].lower())
    return render_template(
        "cockpit/instances.html", rows=monitoring.list_instances(db(), criteria), criteria=criteria, keys=keys,
        statuses=INSTANCE_STATUSES, activities=translated_activities(db(), monitoring.open_activities(db())),
    )  # fmt: skip


@bp.get("/instances/<int:instance_id>")
@require_roles(*COCKPIT_ROLES)
def instance(instance_id: int) -> str:
    session = db()
    detail = monitoring.instance_detail(session, instance_id)
    if detail is None:
        abort(404)
    texts = diagram_texts_of_instance(session, instance_id)
    return render_template(
        "cockpit/instance.html",
        detail=detail,
        diagram=designer_api.instance_svg(session, instance_id, now(), **texts),
        # Waiting timers by the name the diagram gives their event (in the user's language where translated).
        element_names={**designer_api.version_element_names(detail.instance.definition), **texts["names"]},
        incident=queries.open_incident(session, instance_id),
        audit=queries.audit_trail(session, instance_id),
        variables=sorted(detail.instance.variables.items()),
        choices=reassign_choices(detail.open_tasks),
    )


def _changed_variables(text: str) -> dict[str, Any] | None:
    """The variables to set before the retry (a JSON object; empty: none), or None when it is not one."""
    if not text.strip():
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


@bp.post("/instances/<int:instance_id>/retry")
@require_roles(*COCKPIT_ROLES)
def retry(instance_id: int) -> WerkzeugResponse:
    """Run the failed step again; the service checks the role, writes the audit entry and commits."""
    changes = _changed_variables(request.form.get("variables", ""))
    if changes is None:
        flash(_('Changed variables must be a JSON object, e.g. {"order_count": 3}. Nothing was retried.'), "error")
        return redirect(url_for("cockpit.instance", instance_id=instance_id))
    try:
        result = retry_instance(db(), actor(), instance_id, now(), changes or None)
    except PermissionDenied:
        abort(403)
    except NotFound:
        abort(404)
    except InvalidState as error:
        flash(engine_message(error), "error")
    else:
        incident = queries.open_incident(db(), instance_id) if result.status == INSTANCE_INCIDENT else None
        if incident is not None:
            flash(_("The step failed again: %(message)s", message=incident.message), "error")
        else:
            flash(_("The failed step ran again; the instance is %(status)s.", status=result.status), "success")
    return redirect(url_for("cockpit.instance", instance_id=instance_id))
