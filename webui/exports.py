"""Tabular downloads as CSV or XLSX (openpyxl), with the same rules for both.

Two forms of the same rows (docs/cockpit.md, "Exports"):

- machine-readable, for scripts: column ids, stored ids for enumerations (``billing``), ISO 8601 UTC dates,
  ``.`` as decimal sign, comma-separated. English users get it, and anyone who adds ``?raw=1`` to the link.
- for people in another language (German): translated column names, enumerations as their labels
  (``Abrechnung``), dates in the user's time zone as ``06.12.2026 09:15``, numbers with the decimal comma, yes/no
  as words, and ``;`` between the columns, which is what a German spreadsheet expects when ``,`` is the decimal
  sign. XLSX keeps real date and number cells (the spreadsheet shows them in its own locale).

Text that a spreadsheet would run as a formula is defused with a leading quote (also in XLSX, where openpyxl
would store a string beginning with ``=`` as a formula).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from flask import Response, request, stream_with_context
from flask_babel import format_date, format_datetime, get_locale
from flask_babel import gettext as _
from openpyxl import Workbook

from webui.formatting import CHANNEL_LABELS, LIGHT_LABELS, PRIORITY_LABELS
from webui.labels import label

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")


def _defused(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


# Enumerated columns (by column id) and the labels they are shown with in a localized export.
_LABEL_KINDS = {
    "category": "category", "root_cause": "root_cause", "status": "status", "outcome": "outcome",
    "product_group": "product_group", "action": "action", "tasks": "assignment",
}  # fmt: skip
_LABEL_MAPS: dict[str, Mapping[str, Any]] = {
    "channel": CHANNEL_LABELS, "priority": PRIORITY_LABELS, "traffic_light": LIGHT_LABELS,
}  # fmt: skip


def machine_readable() -> bool:
    """Ids, ISO dates and ``.`` decimals: for English users and for any download asked for with ``?raw=1``."""
    return request.args.get("raw") == "1" or str(get_locale() or "en").startswith("en")


def _csv_cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return _defused(value)


def _xlsx_cell(value: Any) -> Any:
    if isinstance(value, datetime):  # Excel has no time zones: the UTC wall time
        return value.astimezone(UTC).replace(tzinfo=None)
    return _defused(value)


def _labelled(column: str, value: Any, labels: Mapping[str, Mapping[str, Any]]) -> Any:
    """An enumerated value as its label in the user's language; other values as they are."""
    if value is None or value == "" or not isinstance(value, str):
        return value
    if column in labels:
        return str(labels[column].get(value, value))
    if column in _LABEL_KINDS:
        return label(value, _LABEL_KINDS[column])
    if column in _LABEL_MAPS:
        return str(_LABEL_MAPS[column].get(value, value))
    return value


def _local_cell(column: str, value: Any, labels: Mapping[str, Mapping[str, Any]]) -> Any:
    """A CSV cell for a reader in their language: labels, local dates, decimal comma, yes/no."""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return format_datetime(value, "dd.MM.yyyy HH:mm")
    if isinstance(value, date):
        return format_date(value, "dd.MM.yyyy")
    if isinstance(value, Decimal | float):
        return str(value).replace(".", ",")
    return _defused(_labelled(column, value, labels))


def header_names(header: Sequence[str], names: Mapping[str, Any]) -> list[str]:
    """The column ids when machine-readable, their translations (``names``) otherwise."""
    return list(header) if machine_readable() else [str(names.get(name, name)) for name in header]


def download(
    kind: str,
    filename: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    names: Mapping[str, Any],
    labels: Mapping[str, Mapping[str, Any]] | None = None,
    stream: bool = False,
) -> Response:
    """``rows`` under ``header`` as a ``kind`` (csv or xlsx) attachment called ``filename``.<kind>.

    ``labels`` gives a column's values their labels where the shared ones (webui.labels) do not fit. ``stream``: a
    CSV is sent while ``rows`` are read (a whole register is a download of every row: its first bytes leave at
    once and memory stays flat); the request, and with it the database session, lasts until the last row.
    """
    labels = labels or {}
    titles = header_names(header, names)
    raw = machine_readable()
    if kind == "csv" and stream:
        response = Response(stream_with_context(_csv_chunks(header, titles, rows, labels, raw)), mimetype="text/csv")
    elif kind == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter="," if raw else ";")
        writer.writerow(titles)
        for row in rows:
            if raw:
                writer.writerow([_csv_cell(value) for value in row])
            else:
                writer.writerow([_local_cell(column, value, labels) for column, value in zip(header, row, strict=True)])
        response = Response(buffer.getvalue(), mimetype="text/csv")
    else:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(filename[:31])
        sheet.append(titles)
        for row in rows:
            cells = (
                row if raw else [_labelled(column, value, labels) for column, value in zip(header, row, strict=True)]
            )
            sheet.append([_xlsx_cell(value) for value in cells])
        output = io.BytesIO()
        workbook.save(output)
        response = Response(output.getvalue(), mimetype=XLSX_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.{kind}"'
    return response


def _csv_chunks(
    header: Sequence[str],
    titles: list[str],
    rows: Iterable[Sequence[Any]],
    labels: Mapping[str, Mapping[str, Any]],
    raw: bool,
) -> Iterator[str]:
    """The CSV of ``rows`` in pieces of about 500 rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="," if raw else ";")
    writer.writerow(titles)
    for number, row in enumerate(rows, start=1):
        if raw:
            writer.writerow([_csv_cell(value) for value in row])
        else:
            writer.writerow([_local_cell(column, value, labels) for column, value in zip(header, row, strict=True)])
        if number % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_download(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]], names: Mapping[str, Any]
) -> Response:
    """A CSV attachment called exactly ``filename`` (the cockpit's ``<chart>.csv`` links)."""
    return download("csv", filename.removesuffix(".csv"), header, rows, names)
