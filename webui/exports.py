"""Tabular downloads as CSV or XLSX (openpyxl), with the same rules for both.

English keeps the column ids that scripts rely on; other languages get translated column names. Text that a
spreadsheet would run as a formula is defused with a leading quote (also in XLSX, where openpyxl would store
a string beginning with ``=`` as a formula). Dates are UTC: ISO text in CSV, date cells in XLSX.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from flask import Response
from flask_babel import get_locale
from openpyxl import Workbook

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")


def _defused(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


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


def header_names(header: Sequence[str], names: Mapping[str, Any]) -> list[str]:
    """The column ids in English, their translations (``names``) in any other language."""
    english = str(get_locale() or "en").startswith("en")
    return list(header) if english else [str(names.get(name, name)) for name in header]


def download(
    kind: str, filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]], names: Mapping[str, Any]
) -> Response:
    """``rows`` under ``header`` as a ``kind`` (csv or xlsx) attachment called ``filename``.<kind>."""
    titles = header_names(header, names)
    if kind == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(titles)
        writer.writerows([_csv_cell(value) for value in row] for row in rows)
        response = Response(buffer.getvalue(), mimetype="text/csv")
    else:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(filename[:31])
        sheet.append(titles)
        for row in rows:
            sheet.append([_xlsx_cell(value) for value in row])
        stream = io.BytesIO()
        workbook.save(stream)
        response = Response(stream.getvalue(), mimetype=XLSX_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.{kind}"'
    return response
