"""The regulators' returns for a period: the FCA complaints return and the BaFin complaints report, as a printable
page (every figure links to the complaints it counts) and as CSV or XLSX. Managers and admins only; every access
is audited first (``engine.services.reporting.access``). Figures: ``engine.store.returns``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from engine.domain.roles import REGISTER_ROLES
from engine.services.regulation.library import shipped_return_map
from engine.store import register, returns, returns_by_day, returns_tables
from webui.auth import require_roles
from webui.db import db, now
from webui.exports import download
from webui.labels import PRODUCT_GROUP_LABELS, REGISTER_HEADERS
from webui.query_args import day_arg
from webui.views.register import PER_PAGE, audited, keyset, page_link, page_number

bp = Blueprint("returns", __name__, url_prefix="/returns")
TITLES = {
    "fca": _l("FCA complaints return (DISP 1 Annex 1R)"),
    "bafin": _l("BaFin complaints report (MaComp BT 12)"),
}
MEASURE_LABELS = {
    "outstanding_start": _l("Outstanding at the start of the period"),
    "received": _l("Opened (received) in the period"),
    "closed": _l("Closed in the period"),
    "closed_3_days": _l("Closed within 3 business days"),
    "closed_8_weeks": _l("Closed after 3 business days, within 8 weeks"),
    "closed_later": _l("Closed after more than 8 weeks"),
    "upheld": _l("Upheld (fully or partly)"),
    "redress": _l("Redress paid"),
    "outstanding_end": _l("Still open at the end of the period"),
}
BAFIN_LABELS = {**MEASURE_LABELS, "upheld": _l("At least partly successful")}
GROUP_LABELS = {**PRODUCT_GROUP_LABELS, returns.NO_GROUP: _l("No product group"), returns.TOTAL: _l("Total")}


def _kind(name: str) -> returns.ReturnKind:
    kind = returns.KINDS.get(name)
    if kind is None:
        abort(404)
    return kind


def _period(annual: bool = False) -> tuple[date, date]:
    """``start``/``end`` (inclusive days); by default the last full half-year (the FCA reports twice a year) or,
    ``annual``, the last calendar year (the BaFin report covers one)."""
    today = now().astimezone(UTC).date()
    half = date(today.year, 1, 1) if today.month <= 6 else date(today.year, 7, 1)
    default_start = date(half.year - 1, 7, 1) if half.month == 1 else date(half.year, 1, 1)
    default_end = half - timedelta(days=1)
    if annual:
        default_start, default_end = date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
    first, last = day_arg("start") or default_start, day_arg("end") or default_end
    if last < first or (last - first).days > 3 * 366:
        abort(400)
    return first, last


def _bounds(first: date, last: date) -> tuple[datetime, datetime]:
    return datetime.combine(first, time(), UTC), datetime.combine(last + timedelta(days=1), time(), UTC)


def _labels(kind: returns.ReturnKind) -> dict[str, Any]:
    return BAFIN_LABELS if kind is returns.BAFIN else MEASURE_LABELS


def _german() -> bool:
    return str(get_locale() or "en").startswith("de")


def _compute(kind: returns.ReturnKind, first: date, last: date) -> tuple[returns.ReturnTable, dict[str, Any]]:
    """The figures and the labels of their rows: the BaFin report by the categories of the designer's mapping
    (processes/regulation/returns.toml), the FCA return by product group; from the per-day summary rows."""
    if kind is not returns.BAFIN:
        return returns_by_day.compute(db(), kind, *_bounds(first, last)), GROUP_LABELS
    table = returns_by_day.compute(db(), kind, *_bounds(first, last), mapping=shipped_return_map())
    return table, _group_labels(kind)


def _group_labels(kind: returns.ReturnKind) -> dict[str, Any]:
    if kind is not returns.BAFIN:
        return GROUP_LABELS
    labels: dict[str, Any] = {c.id: c.label_de if _german() else c.label for c in shipped_return_map().categories}
    return {**labels, returns.TOTAL: GROUP_LABELS[returns.TOTAL]}


@bp.get("/")
@require_roles(*REGISTER_ROLES)
def index() -> str:
    periods = {name: _period(kind is returns.BAFIN) for name, kind in returns.KINDS.items()}
    return render_template("returns/index.html", titles=TITLES, periods=periods)


@bp.get("/<name>")
@require_roles(*REGISTER_ROLES)
def show(name: str) -> str:
    kind = _kind(name)
    first, last = _period(kind is returns.BAFIN)
    audited("return", {"return": kind.name, "start": first.isoformat(), "end": last.isoformat()})
    table, groups = _compute(kind, first, last)
    mapping = shipped_return_map()
    causes = returns_tables.cause_table(db(), mapping, *_bounds(first, last)) if kind is returns.FCA else None
    return render_template(
        "returns/show.html",
        kind=kind,
        title=TITLES[kind.name],
        table=table,
        labels=_labels(kind),
        groups=groups,
        causes=causes,
        nil_return=not any(table.figures[returns.TOTAL][m] for m in ("outstanding_start", "received")),
        source=mapping.sources.get(kind.name),
        start=first,
        end=last,
    )


@bp.get("/<name>/export.csv", defaults={"fmt": "csv"})
@bp.get("/<name>/export.xlsx", defaults={"fmt": "xlsx"})
@require_roles(*REGISTER_ROLES)
def export(name: str, fmt: str) -> Response:
    kind = _kind(name)
    first, last = _period(kind is returns.BAFIN)
    audited("return_export", {"return": kind.name, "start": first.isoformat(), "end": last.isoformat(), "format": fmt})
    table, groups = _compute(kind, first, last)
    # Redress gets one column per currency (never a sum across currencies): redress_EUR, redress_GBP, ...
    currencies = sorted(table.figures[returns.TOTAL].get("redress", {}))
    columns: list[str] = []
    for measure in kind.measures:
        columns += [f"redress_{code}" for code in currencies] if measure in returns.SUMMED else [measure]
    first_column = "category" if kind is returns.BAFIN else "product_group"
    first_label = _("Category") if kind is returns.BAFIN else REGISTER_HEADERS["product_group"]
    names: dict[str, Any] = {first_column: first_label, **_labels(kind)}
    names.update({f"redress_{code}": f"{_labels(kind)['redress']} ({code})" for code in currencies})

    def flat(figures: list[Any]) -> list[Any]:
        cells: list[Any] = []
        for measure, figure in zip(kind.measures, figures, strict=True):
            cells += [figure.get(code, 0) for code in currencies] if measure in returns.SUMMED else [figure]
        return cells

    rows = ([group, *flat(figures)] for group, figures in table.rows())
    filename = f"{kind.name}-return-{first.isoformat()}-{last.isoformat()}"
    return download(fmt, filename, [first_column, *columns], rows, names, {first_column: groups})


@bp.get("/<name>/complaints")
@require_roles(*REGISTER_ROLES)
def complaints(name: str) -> str:
    """The complaints one figure counts (``measure``, ``group``), as register rows."""
    kind = _kind(name)
    measure, group = request.args.get("measure", ""), request.args.get("group", "")
    mapping = shipped_return_map()
    known = mapping.category_ids() if kind is returns.BAFIN else returns.GROUPS
    if measure not in kind.measures or group not in (*known, returns.TOTAL):
        abort(400)
    first, last = _period(kind is returns.BAFIN)
    number = page_number()
    period: dict[str, Any] = {"start": first.isoformat(), "end": last.isoformat()}
    audited("return", {"return": kind.name, **period, "measure": measure, "group": group, "page": number})
    if kind is returns.BAFIN:
        found = returns_tables.category_condition(mapping, measure, group, *_bounds(first, last))
    else:
        found = returns.condition(measure, group, *_bounds(first, last))
    groups = _group_labels(kind)
    # The figure itself is the number of complaints listed (redress lists the complaints settled in the period): from
    # the summary rows, instead of counting a year of complaints again for the page count.
    table = _compute(kind, first, last)[0]
    total = table.figures[group]["closed" if measure in returns.SUMMED else measure]
    result = register.page(
        db(), register.RegisterFilter(), number, PER_PAGE, condition=found, total=total, after=keyset()
    )
    return render_template(
        "returns/complaints.html",
        kind=kind,
        title=TITLES[kind.name],
        measure=_labels(kind)[measure],
        group=groups[group],
        result=result,
        columns=register.COLUMNS,
        headers=REGISTER_HEADERS,
        start=first,
        end=last,
        back=url_for("returns.show", name=kind.name, **period),
        page_url=lambda page: page_link(
            "returns.complaints", result, page, name=kind.name, measure=measure, group=group, **period
        ),
    )
