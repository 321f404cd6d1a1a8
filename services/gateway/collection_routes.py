"""Finance endpoints for collection follow-up (催缴) and phone charges (电话费统计表)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Request

from contracts import billing_api as api
from contracts.fields import BusinessDate, Period
from runtime.auth import Principal, Role
from services.gateway.bodies import JsonBody
from services.gateway.limits import BULK_BODY
from services.gateway.security import call, site_access

router = APIRouter(tags=["billing"])
SITE = "/sites/{site_id}/billing"

# Customer service chases by the receivable table (seed 001: 客服部据此催缴); finance helps.
Chaser = Annotated[Principal, site_access(frozenset({
    Role.CS_REP, Role.CS_SUPERVISOR, Role.CS_MANAGER, Role.ACCOUNTANT, Role.FINANCE_MANAGER,
}))]  # fmt: skip
LetterSender = Annotated[Principal, site_access(frozenset({
    Role.CS_SUPERVISOR, Role.CS_MANAGER, Role.ACCOUNTANT, Role.FINANCE_MANAGER,
}))]  # fmt: skip
ChaseReader = Annotated[Principal, site_access(frozenset({
    Role.CS_REP, Role.CS_SUPERVISOR, Role.CS_MANAGER, Role.GENERAL_MANAGER, Role.ACCOUNTANT,
    Role.FINANCE_MANAGER, Role.GROUP_ADMIN,
}))]  # fmt: skip
PolicySetter = Annotated[Principal, site_access(frozenset({Role.FINANCE_MANAGER}))]
# The front desk tallies the month's phone charges (seed 001, 前台接待员: 每个月统计、核实大厦
# 用户电话费); a supervisor or finance verifies; finance and customer service read.
PhoneTally = Annotated[Principal, site_access(frozenset({
    Role.RECEPTIONIST, Role.SWITCHBOARD, Role.CS_REP, Role.CS_SUPERVISOR, Role.ACCOUNTANT,
}))]  # fmt: skip
PhoneVerifier = Annotated[Principal, site_access(frozenset({
    Role.CS_SUPERVISOR, Role.CS_MANAGER, Role.ACCOUNTANT, Role.FINANCE_MANAGER,
}))]  # fmt: skip
PhoneReader = Annotated[Principal, site_access(frozenset({
    Role.RECEPTIONIST, Role.SWITCHBOARD, Role.CS_REP, Role.CS_SUPERVISOR, Role.CS_MANAGER,
    Role.GENERAL_MANAGER, Role.ACCOUNTANT, Role.CASHIER, Role.FINANCE_MANAGER,
    Role.GROUP_ADMIN, Role.BI,
}))]  # fmt: skip
Unit = Annotated[api.BilledUnit, Path()]
PeriodPath = Annotated[Period, Path()]


# -- collection follow-up ----------------------------------------------------------------


@router.put(f"{SITE}/collection-policy", summary="Dunning levels: days past due of each")
async def set_collection_policy(
    site_id: UUID, cmd: JsonBody[api.SetCollectionPolicy], request: Request, _: PolicySetter
) -> api.CollectionPolicyView:
    return await call(request, api.SET_COLLECTION_POLICY, site_id=site_id, payload=cmd)


@router.get(f"{SITE}/collection-policy", summary="The site's dunning levels")
async def get_collection_policy(site_id: UUID, request: Request,
                                _: ChaseReader) -> api.CollectionPolicyView:  # fmt: skip
    return await call(request, api.GET_COLLECTION_POLICY, site_id=site_id)


@router.get(f"{SITE}/collection/today", summary="Units to chase today, largest and oldest first")
async def collection_today(site_id: UUID, request: Request, _: ChaseReader,
                           as_of: BusinessDate | None = None) -> api.CollectionToday:  # fmt: skip
    return await call(request, api.COLLECTION_TODAY, site_id=site_id, as_of=as_of)


@router.get(f"{SITE}/units/{{unit}}/collection", summary="A unit's collection log and chase")
async def collection_log(site_id: UUID, unit: Unit, request: Request,
                         _: ChaseReader) -> api.CollectionLogView:  # fmt: skip
    return await call(request, api.COLLECTION_LOG, site_id=site_id, unit=unit)


@router.post(f"{SITE}/units/{{unit}}/collection/phone-reminders",
             summary="Log a collection call and its outcome")  # fmt: skip
async def record_phone_reminder(
    site_id: UUID, unit: Unit, cmd: JsonBody[api.RecordPhoneReminder], request: Request, _: Chaser
) -> api.CollectionLogView:
    return await call(request, api.RECORD_PHONE_REMINDER, site_id=site_id, unit=unit,
                      payload=cmd)  # fmt: skip


@router.post(f"{SITE}/units/{{unit}}/collection/final-letters", summary="Log the final letter")
async def send_final_letter(
    site_id: UUID, unit: Unit, cmd: JsonBody[api.SendFinalLetter], request: Request, _: LetterSender
) -> api.CollectionLogView:
    return await call(request, api.SEND_FINAL_LETTER, site_id=site_id, unit=unit, payload=cmd)


# -- phone charges ---------------------------------------------------------------------


@router.put(f"{SITE}/phone-charges/{{period}}", openapi_extra=BULK_BODY,
            summary="The month's call-charge list (replaced until verified)")  # fmt: skip
async def enter_phone_charges(site_id: UUID, period: PeriodPath,
                              cmd: JsonBody[api.EnterPhoneCharges], request: Request,
                              _: PhoneTally) -> api.PhoneChargeListView:  # fmt: skip
    return await call(request, api.ENTER_PHONE_CHARGES, site_id=site_id, period=period,
                      payload=cmd)  # fmt: skip


@router.post(f"{SITE}/phone-charges/{{period}}/verification",
             summary="Verify the list (another person) and post its charges")  # fmt: skip
async def verify_phone_charges(site_id: UUID, period: PeriodPath, request: Request,
                               _: PhoneVerifier) -> api.PhoneChargeListView:  # fmt: skip
    return await call(request, api.VERIFY_PHONE_CHARGES, site_id=site_id, period=period)


@router.get(f"{SITE}/phone-charges/{{period}}", summary="A month's call-charge list and detail")
async def get_phone_charges(site_id: UUID, period: PeriodPath, request: Request,
                            _: PhoneReader) -> api.PhoneChargeListView:  # fmt: skip
    return await call(request, api.GET_PHONE_CHARGES, site_id=site_id, period=period)
