"""A typed Python client generated from the running gateway's `/openapi.json`
(openapi-python-client) drives one real scenario per context and reads typed answers:
what a front-end team gets from the document alone."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from runtime.auth import Role
from tests.conftest import Stack
from tests.helpers import eventually, token

SITE = uuid4()
PACKAGE = "concierge_client"


@pytest.fixture(scope="module")
def client_package(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """Generate the client from the gateway's document and import it."""
    where = tmp_path_factory.mktemp("generated")
    document = where / "openapi.json"
    document.write_bytes(httpx.get(f"{stack.base_url}/openapi.json", timeout=30).content)
    # A printed document (application/pdf) is bytes to a client: the generator's own
    # setting maps it to the binary type it knows.
    config = where / "config.yml"
    config.write_text("content_type_overrides:\n  application/pdf: application/octet-stream\n")
    tools = Path(sys.executable).parent  # the generator, and ruff for its post-hooks
    done = subprocess.run(
        [str(tools / "openapi-python-client"), "generate", "--path", str(document),
         "--meta", "none", "--output-path", str(where / PACKAGE), "--fail-on-warning",
         "--config", str(config)],
        cwd=where, capture_output=True, text=True, timeout=300,
        env={**os.environ, "PATH": f"{tools}:{os.environ.get('PATH', '')}"},
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    sys.path.insert(0, str(where))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(where))


class Typed:
    """The generated client's operations, called as one role of the test site."""

    def __init__(self, package: ModuleType, base_url: str) -> None:
        self.package = package
        self.base_url = base_url

    def as_role(self, role: Role) -> Any:
        client = importlib.import_module(f"{PACKAGE}.client")
        return client.AuthenticatedClient(base_url=self.base_url, token=token(role, [SITE]),
                                          raise_on_unexpected_status=True)  # fmt: skip

    def operation(self, area: str, name: str) -> Any:
        return importlib.import_module(f"{PACKAGE}.api.{area}.{name}")

    def model(self, name: str, body: dict[str, Any]) -> Any:
        models = importlib.import_module(f"{PACKAGE}.models")
        return getattr(models, name).from_dict(body)

    def call(self, role: Role, area: str, name: str, status: int = 200, **kw: Any) -> Any:
        response = self.operation(area, name).sync_detailed(client=self.as_role(role), **kw)
        assert response.status_code == status, (name, response.status_code, response.content)
        return response.parsed


@pytest.fixture(scope="module")
def typed(client_package: ModuleType, stack: Stack) -> Typed:
    return Typed(client_package, stack.base_url)


def test_visitor_check_in_and_out(typed: Typed) -> None:
    now = datetime.now(UTC)
    body = typed.model("PreRegisterVisit", {
        "visitor_name": "Li Lei", "host_unit": "12A", "host_name": "Han Meimei",
        "purpose": "review", "expected_from": now.isoformat(),
        "expected_until": (now + timedelta(hours=2)).isoformat()})  # fmt: skip
    desk = Role.RECEPTIONIST
    visit = typed.call(desk, "visitor", "pre_register_sites_site_id_visits_pre_registrations_post",
                       201, site_id=SITE, body=body)  # fmt: skip
    assert isinstance(visit.visit_id, UUID) and visit.status.value == "expected"
    versions = [visit.version]
    visit = typed.call(desk, "visitor", "check_in_sites_site_id_visits_visit_id_check_in_post",
                       site_id=SITE, visit_id=visit.visit_id, body=typed.model("CheckIn", {}))  # fmt: skip
    assert visit.status.value == "checked_in" and isinstance(visit.checked_in_at, datetime)
    versions.append(visit.version)
    visit = typed.call(desk, "visitor", "check_out_sites_site_id_visits_visit_id_check_out_post",
                       site_id=SITE, visit_id=visit.visit_id)  # fmt: skip
    assert visit.status.value == "checked_out"
    assert [*versions, visit.version] == sorted({*versions, visit.version}), "each step a version"


def test_mail_intake_and_pickup(typed: Typed) -> None:
    manager, desk = Role.CS_MANAGER, Role.RECEPTIONIST
    directory = typed.model("UpdateDirectory", {"entries": [{"unit": "12A", "company": "Huaxin"}]})
    typed.call(manager, "mail", "directory_sites_site_id_mail_directory_put", site_id=SITE,
               body=directory)  # fmt: skip
    item = typed.call(desk, "mail", "receive_sites_site_id_mail_items_post", 201, site_id=SITE,
                      body=typed.model("ReceiveMail", {"kind": "parcel", "recipient_unit": "12A"}))  # fmt: skip
    assert item.status.value == "awaiting_pickup" and item.kind.value == "parcel"
    item = typed.call(desk, "mail", "collect_sites_site_id_mail_items_item_id_pickup_post",
                      site_id=SITE, item_id=item.item_id,
                      body=typed.model("CollectMail", {"signed_by": "Han Meimei"}))  # fmt: skip
    assert item.status.value == "collected"


def test_repair_report_dispatch_complete_verify(typed: Typed) -> None:
    body = typed.model("ReportRepair", {"source": "tenant_phone", "category": "plumbing",
                                        "location": "12A kitchen", "content": "tap leaks",
                                        "reporter": "Han Meimei"})  # fmt: skip
    area = "work_orders"
    order = typed.call(Role.RECEPTIONIST, area, "report_sites_site_id_repairs_post", 201,
                       site_id=SITE, body=body)  # fmt: skip
    on = {"site_id": SITE, "work_order_id": order.work_order_id}
    order = typed.call(Role.DISPATCHER, area, "dispatch_sites_site_id_repairs_work_order_id_dispatch_post",
                       **on, body=typed.model("DispatchRepair", {"team": "engineering", "urgency": "normal"}))  # fmt: skip
    assert order.status.value == "dispatched" and order.number.startswith("WO-")
    order = typed.call(Role.TECHNICIAN, area, "complete_sites_site_id_repairs_work_order_id_complete_post",
                       **on, body=typed.model("CompleteRepair", {"result": "washer replaced",
                                                                 "labour_hours": "0.5"}))  # fmt: skip
    assert order.status.value == "completed"
    order = typed.call(Role.CS_REP, area, "verify_sites_site_id_repairs_work_order_id_verify_post",
                       **on, body=typed.model("VerifyRepair", {"passed": True, "method": "phone"}))  # fmt: skip
    assert order.status.value == "closed"
    shown = typed.call(
        Role.RECEPTIONIST, area, "get_work_order_sites_site_id_repairs_work_order_id_get", **on
    )
    assert shown.to_dict() == order.to_dict()


def test_complaint_register_and_resolve(typed: Typed) -> None:
    body = typed.model("RegisterComplaint", {"channel": "phone", "complainant": "Zhou Min",
                                             "unit": "15C", "category": "noise",
                                             "content": "drilling after 22:00"})  # fmt: skip
    complaint = typed.call(Role.RECEPTIONIST, "feedback", "register_sites_site_id_complaints_post",
                           201, site_id=SITE, body=body)  # fmt: skip
    assert complaint.status.value == "registered" and isinstance(complaint.deadline, datetime)
    on = {"site_id": SITE, "complaint_id": complaint.complaint_id}
    cs = Role.CS_REP
    typed.call(cs, "feedback", "investigate_sites_site_id_complaints_complaint_id_investigation_post",
               **on, body=typed.model("InvestigateComplaint", {"cause": "tenant", "notes": "contractor next door"}))  # fmt: skip
    resolved = typed.call(cs, "feedback", "resolve_sites_site_id_complaints_complaint_id_resolution_post",
                          **on, body=typed.model("ResolveComplaint", {"resolution": "works moved to daytime"}))  # fmt: skip
    assert resolved.status.value == "resolved" and resolved.resolution == "works moved to daytime"


def test_billing_run_sign_off_and_payment(typed: Typed) -> None:
    period = f"{datetime.now(UTC):%Y-%m}"
    accountant = Role.ACCOUNTANT
    typed.call(accountant, "billing", "set_rate_sites_site_id_billing_rates_put", site_id=SITE,
               body=typed.model("SetRate", {"fee_type": "management", "amount_per_unit": "3.50",
                                            "effective_from": period}))  # fmt: skip
    units = typed.call(accountant, "billing", "register_units_sites_site_id_billing_units_put",
                       site_id=SITE, body=typed.model("RegisterUnits", {"units": [
                           {"unit": "101", "area_m2": "100"}]}))  # fmt: skip
    assert units.new_units == 1
    typed.call(accountant, "billing", "run_month_sites_site_id_billing_runs_period_post",
               site_id=SITE, period=period)  # fmt: skip
    for role in (Role.CS_MANAGER, Role.GENERAL_MANAGER, Role.FINANCE_MANAGER):
        typed.call(role, "billing", "approve_sites_site_id_billing_runs_period_approval_post",
                   site_id=SITE, period=period)  # fmt: skip
    typed.call(accountant, "billing", "issue_sites_site_id_billing_runs_period_statements_post",
               site_id=SITE, period=period, body=typed.model("IssueStatements", {}))  # fmt: skip
    account = typed.call(Role.CASHIER, "billing", "receive_payment_sites_site_id_billing_units_unit_payments_post",
                         site_id=SITE, unit="101", body=typed.model("ReceivePayment", {
                             "reference": f"BT-{uuid4().hex[:8]}", "amount": "350.00",
                             "method": "bank_transfer"}))  # fmt: skip
    assert account.recorded is True and account.outstanding == "0.00"
    table = eventually(
        lambda: typed.call(
            accountant,
            "billing",
            "paid_sites_site_id_billing_paid_get",
            site_id=SITE,
            period=period,
        ),
        lambda t: t.to_dict().get("units"),
    )
    assert table.to_dict()["units"][0]["unit"] == "101"
    notice = typed.call(Role.CASHIER, "billing",
                        "print_notice_sites_site_id_billing_units_unit_notices_period_pdf_get",
                        site_id=SITE, unit="101", period=period)  # fmt: skip
    assert notice.payload.read().startswith(b"%PDF-")
