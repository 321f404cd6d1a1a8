"""Finance tables as CSV or XLSX downloads (the receivable, paid and arrears tables)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from fastapi.responses import Response
from openpyxl import Workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def table_download(rows: list[dict[str, Any]], columns: list[str], filename: str,
                   fmt: str) -> Response:  # fmt: skip
    """`rows` (plus nothing else) as `fmt` ("csv" or "xlsx"), named `filename`.<fmt>."""
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
        body, media = buffer.getvalue().encode("utf-8-sig"), "text/csv; charset=utf-8"
    else:
        book = Workbook()
        sheet = book.active
        sheet.title = filename[:31]
        sheet.append(columns)
        for row in rows:
            sheet.append([_cell(row.get(column)) for column in columns])
        out = io.BytesIO()
        book.save(out)
        body, media = out.getvalue(), XLSX
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{filename}.{fmt}"'},
    )


def _cell(value: Any) -> Any:
    # JSON from the services carries money as strings; spreadsheets want numbers.
    if isinstance(value, str):
        try:
            return Decimal(value)
        except ArithmeticError:
            return value
    return value
