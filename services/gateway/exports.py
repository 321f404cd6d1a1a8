"""Tables as CSV or XLSX downloads: the visitor log, the mail register, the finance tables.

Every column says what it holds, and cells are written as that, never guessed from how
the value looks: a tracking number `00012345` stays text, a visitor called `NaN` keeps
her name. Money and counts are numbers; everything else is text.

A text cell that a spreadsheet would read as a formula (one starting with `=`, `+`, `-`,
`@`, a tab or a carriage return) is neutralised the way OWASP's "CSV Injection" page
recommends: a leading single quote, in CSV and XLSX alike, so `=HYPERLINK(...)` typed as
a visitor's name is shown, never run. XLSX text cells are also written as strings, so
no text cell is ever a formula there.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi.responses import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from pydantic import BaseModel

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    name: str
    numeric: bool = False  # money (decimal strings from the services) and counts


def text_columns(*names: str) -> list[Column]:
    return [Column(name) for name in names]


def number_columns(*names: str) -> list[Column]:
    return [Column(name, numeric=True) for name in names]


def neutralised(value: Any) -> str:
    """A text cell's content, with a leading quote if a spreadsheet would run it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def number(value: Any) -> int | Decimal | None:
    """A numeric cell's value; None when `value` is not a finite number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def cell_value(column: Column, value: Any) -> int | Decimal | str | None:
    """What `column` shows for `value` (None: an empty cell)."""
    if value is None:
        return None
    if column.numeric and (amount := number(value)) is not None:
        return amount
    return neutralised(value)


def table_download(
    rows: Sequence[BaseModel | Mapping[str, Any]],
    columns: Sequence[Column],
    filename: str,
    fmt: str,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """`rows` (only `columns`, typed as declared) as `fmt` ("csv" or "xlsx"). A row is an
    answer's model or its JSON; a cell holds what the JSON answer holds (a time in
    ISO 8601, money as its decimal text), never Python's own rendering of the value.
    `headers` names the columns in the reader's language (the console's catalogs)."""
    header = [neutralised((headers or {}).get(column.name, column.name)) for column in columns]
    answers = [row.model_dump(mode="json") if isinstance(row, BaseModel) else row for row in rows]
    table = [[cell_value(column, row.get(column.name)) for column in columns] for row in answers]
    if fmt == "csv":
        body, media = _csv(header, table), "text/csv; charset=utf-8"
    else:
        body, media = _xlsx(header, table, title=filename[:31]), XLSX
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{filename}.{fmt}"'},
    )


def _csv(header: list[str], table: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(table)
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx(header: list[str], table: list[list[Any]], title: str) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    for values in [header, *table]:
        sheet.append([_xlsx_cell(sheet, value) for value in values])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_cell(sheet: Any, value: int | Decimal | str | None) -> Cell:
    if isinstance(value, str):
        # XML cannot hold C0 controls (text fields refuse them; older rows may not have).
        value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # a string, whatever it looks like: never a formula
    elif isinstance(value, Decimal):
        cell.number_format = "0.00"
    return cell
