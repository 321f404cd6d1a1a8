"""A report's row model declares exactly the columns its read model's query returns:
the models are closed (contracts.methods.Answer), so a column added to a table without
its model would make the report fail where the service answers, and a model field the
table lacks would never be filled."""

from __future__ import annotations

from uuid import uuid4

import pytest
from pydantic import BaseModel, ValidationError

from contracts import building_services_api, feedback_api, mail_api, visitor_api, workorder_api
from runtime.rpc import AnswerMismatch, RpcService
from services.feedback.projections import COLUMNS as COMPLAINT_COLUMNS
from services.mail.projections import COLUMNS as MAIL_COLUMNS
from services.visitor.projections import MESSAGE_COLUMNS, VISIT_COLUMNS
from services.visitor.service_orders import ORDER_COLUMNS
from services.workorder.projections import COLUMNS as WORK_ORDER_COLUMNS

ROWS = [
    (workorder_api.WorkOrderRow, WORK_ORDER_COLUMNS),
    (mail_api.MailRow, MAIL_COLUMNS),
    (visitor_api.VisitRow, VISIT_COLUMNS),
    (visitor_api.PhoneMessageRow, MESSAGE_COLUMNS),
    (building_services_api.ServiceOrderView, ORDER_COLUMNS),
    # SELECT *, ... AS overdue, ... AS late
    (feedback_api.OpenComplaint, (*COMPLAINT_COLUMNS, "overdue", "late")),
]


@pytest.mark.parametrize(("model", "columns"), ROWS, ids=[m.__name__ for m, _ in ROWS])
def test_a_row_model_is_its_tables_columns(model: type[BaseModel], columns: tuple) -> None:
    assert list(model.model_fields) == list(columns)


def test_a_row_with_a_column_its_model_does_not_declare_is_refused() -> None:
    row = {"host_unit": "8B", "host_name": "Wang Wu", "hour": 9, "check_ins": 2}
    assert visitor_api.HostHour.model_validate(row).check_ins == 2
    with pytest.raises(ValidationError, match="host_phone"):
        visitor_api.HostHour.model_validate({**row, "host_phone": "555"})


async def test_a_service_answering_outside_its_declaration_is_a_defect() -> None:
    rpc = RpcService(visitor_api.SERVICE)

    @rpc.implements(visitor_api.HOST_HOURLY)
    async def host_hourly(request: visitor_api.DayQuery, call: object) -> list[dict]:
        return [{"host_unit": "8B", "host_name": "Wang Wu", "hour": 9, "check_ins": 2,
                 "site_id": request.site_id}]  # fmt: skip

    request = visitor_api.DayQuery(site_id=uuid4(), date="2026-11-20")  # type: ignore[arg-type]
    with pytest.raises(AnswerMismatch):
        await rpc.handle("HostHourly", request.model_dump_json().encode(), None)  # type: ignore[arg-type]


@pytest.mark.parametrize("reason", ["unresolved", "moved_out", "forwarded"])
def test_the_register_shows_every_archive_reason_the_sweep_records(reason: str) -> None:
    """An item whose recipient stayed unknown past the lookup days is archived as
    `unresolved` by the sweep: the register's row must hold it (it answered a 500)."""
    row = dict.fromkeys(MAIL_COLUMNS)
    row |= {"item_id": uuid4(), "site_id": uuid4(), "business_date": "2026-11-02",
            "kind": "letter", "urgent": False, "status": "archived", "reminders": 0,
            "received_at": "2026-11-02T09:00:00+08:00", "archive_reason": reason}  # fmt: skip
    assert mail_api.MailRow.model_validate(row).archive_reason == reason
