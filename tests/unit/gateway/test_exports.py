"""Export cells: typed by column, formulas neutralised (OWASP CSV injection)."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest

from services.gateway.exports import (
    cell_value,
    neutralised,
    number_columns,
    table_download,
    text_columns,
)

TEXT, NUMBER = text_columns("t")[0], number_columns("n")[0]


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_text_that_would_start_a_formula_gets_a_leading_quote(start: str) -> None:
    assert neutralised(f"{start}1+1") == f"'{start}1+1"


@pytest.mark.parametrize(
    ("value", "cell"),
    [("00012345", "00012345"), ("NaN", "NaN"), ("1e5", "1e5"), ("a=b", "a=b"),
     (None, None), (True, "true"), (7, "7"), ("'quoted", "'quoted")],
)  # fmt: skip
def test_text_columns_keep_the_text(value: object, cell: str | None) -> None:
    assert cell_value(TEXT, value) == cell


@pytest.mark.parametrize(
    ("value", "cell"),
    [("1234.50", Decimal("1234.50")), ("-12.00", Decimal("-12.00")), (3, 3), (None, None),
     ("NaN", "NaN"), ("=1+1", "'=1+1"), (True, "true")],
)  # fmt: skip
def test_number_columns_hold_numbers_and_fall_back_to_safe_text(
    value: object, cell: object
) -> None:
    assert cell_value(NUMBER, value) == cell


def test_xlsx_text_cells_are_strings_even_when_they_look_like_formulas_or_numbers() -> None:
    rows = [
        {"t": "=SUM(A1:A2)", "n": "-5.50"},
        {"t": "00012", "n": 2},
        {"t": "bell\x07", "n": None},
    ]
    response = table_download(rows, [TEXT, NUMBER], "sheet", "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.body)).active
    cells = [[(c.value, c.data_type) for c in row] for row in sheet.iter_rows()]
    assert cells == [
        [("t", "s"), ("n", "s")],
        [("'=SUM(A1:A2)", "s"), (-5.5, "n")],
        [("00012", "s"), (2, "n")],
        [("bell\ufffd", "s"), (None, "n")],  # no value: an empty cell
    ]


def test_csv_headers_are_neutralised_too() -> None:
    response = table_download([], text_columns("=evil"), "sheet", "csv")
    assert response.body.decode("utf-8-sig").splitlines() == ["'=evil"]
