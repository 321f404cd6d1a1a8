"""The billing service's methods: commands (gateway JSON and gRPC payloads), their
requests and answers.

Every rate and every quantity a unit is billed on has an upper bound, chosen so that
each charge the monthly run can compute is at most `MAX_AMOUNT`, the largest
adjustment: whatever is accepted can be billed, and any charge can be undone.

    management      rate x area     <= MAX_RATE x MAX_AREA_M2   = 1e4 x 1e4 = 1e8
    water           rate x m3       <= MAX_RATE x MAX_WATER_M3  = 1e4 x 1e4 = 1e8
    parking, phone  rate x count    <= MAX_RATE x MAX_COUNT     = 1e4 x 1e3 = 1e7
    other_service   flat rate       <= MAX_RATE                 = 1e4
    each service used (laundry ...) <= MAX_AMOUNT               = 1e8

Rounding a product to cents (half-even) never takes it above a bound that is itself a
whole number of cents. A late fee is at most 100% of what is overdue, or a fixed
amount, and never above the site's cap nor `MAX_AMOUNT`.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Generic, Literal
from uuid import UUID

from pydantic import (
    AfterValidator,
    AwareDatetime,
    Base64Bytes,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from contracts.fields import (
    MAX_AMOUNT,
    BusinessDate,
    BusinessDateTime,
    Money,
    Name,
    Period,
    Phone,
    PositiveMoney,
    Reference,
    SignedMoney,
    Text,
    UnitNumber,
)
from contracts.methods import MAX_PAGE, Answer, Method, P, Request, SiteCommand, SiteRequest
from contracts.operations_api import ping, set_clock

MAX_RATE = Decimal(10_000)  # per m2, space, m3 or line per month; a flat monthly charge
MAX_AREA_M2 = Decimal(10_000)
MAX_WATER_M3 = Decimal(10_000)  # one month's consumption
MAX_COUNT = 1_000  # parking spaces, phone lines
MAX_SERVICES = 50  # other services used by one unit in a month
MAX_LATE_FEE_PERCENT = Decimal(100)
assert MAX_RATE * max(MAX_AREA_M2, MAX_WATER_M3, Decimal(MAX_COUNT)) <= MAX_AMOUNT

PeriodText = Period


def _addressable(unit: str) -> str:
    if "/" in unit or unit in (".", ".."):
        raise ValueError("a billed unit is named in URL paths: no '/', and not '.' or '..'")
    return unit


# A billed unit is addressed in URL paths (/units/{unit}/payments), so it holds no "/"
# and is not "." or ".." (which clients resolve away): else it could never be paid.
BilledUnit = Annotated[UnitNumber, AfterValidator(_addressable)]
FeeTypeName = Literal["management", "parking", "water", "phone", "other_service"]


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SetRate(Command):
    fee_type: FeeTypeName
    amount_per_unit: Annotated[Decimal, Field(ge=0, le=MAX_RATE, decimal_places=4)]
    effective_from: PeriodText


class UnitSpec(Command):
    unit: BilledUnit
    area_m2: Annotated[Decimal, Field(gt=0, le=MAX_AREA_M2, decimal_places=2)]
    parking_spaces: Annotated[int, Field(ge=0, le=MAX_COUNT)] = 0
    phone_lines: Annotated[int, Field(ge=0, le=MAX_COUNT)] = 0
    other_services: dict[Name, Money] = Field(default_factory=dict, max_length=MAX_SERVICES)


class RegisterUnits(Command):
    units: list[UnitSpec] = Field(min_length=1, max_length=200_000)


class RecordWater(Command):
    period: PeriodText
    readings: dict[
        BilledUnit, Annotated[Decimal, Field(ge=0, le=MAX_WATER_M3, decimal_places=3)]
    ] = Field(min_length=1)


class LateFeeTerms(Command):
    """`value` percent (at most 100, 4 places) of the overdue amount, or a fixed `value`
    (money); capped at `cap` when given."""

    kind: Literal["percent", "fixed"]
    value: Annotated[Decimal, Field(ge=0, le=MAX_AMOUNT, decimal_places=4)]
    cap: Money | None = None

    @field_validator("value")
    @classmethod
    def _value_fits_kind(cls, value: Decimal, info: ValidationInfo) -> Decimal:
        kind = info.data.get("kind")
        if kind == "percent" and value > MAX_LATE_FEE_PERCENT:
            raise ValueError("a late fee is at most 100 percent of what is overdue")
        if kind == "fixed" and value != value.quantize(Decimal("0.01")):
            raise ValueError("a fixed late fee is money: at most 2 decimal places")
        return value


# Who may sign a month's receivable table off; never the cashier, who takes the money.
ApproverRole = Literal["cs_manager", "general_manager", "finance_manager", "accountant"]
# Seed 001: CS manager -> general manager -> finance manager.
SEED_APPROVAL_CHAIN: tuple[ApproverRole, ...] = ("cs_manager", "general_manager", "finance_manager")


class ConfigureBilling(Command):
    days_to_pay: Annotated[int, Field(ge=1, le=120)] = 15
    grace_days: Annotated[int, Field(ge=0, le=120)] = 5
    late_fee: LateFeeTerms | None = None
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = "CNY"
    # The ordered sign-off of the monthly table, each step by a different person.
    approval_chain: list[ApproverRole] = Field(
        default_factory=lambda: list(SEED_APPROVAL_CHAIN), min_length=2, max_length=4
    )

    @field_validator("approval_chain")
    @classmethod
    def _each_role_once(cls, chain: list[ApproverRole]) -> list[ApproverRole]:
        if len(set(chain)) != len(chain):
            raise ValueError("each role signs once")
        return chain


class IssueStatements(Command):
    due_date: BusinessDate | None = None  # default: issue date + the site's days to pay


class ReceivePayment(Command):
    reference: Reference
    amount: PositiveMoney
    method: Literal["cash", "bank_transfer", "card", "wechat_pay", "alipay", "cheque", "other"]


class ReversePayment(Command):
    reason: Text


class Adjust(Command):
    adjustment_id: Reference
    amount: SignedMoney
    reason: Text
    period: PeriodText
    charge_id: Reference | None = None  # a charge id (uuid) or an adjustment id

    @model_validator(mode="after")
    def _not_zero(self) -> Adjust:
        if self.amount == 0:
            raise ValueError("an adjustment must not be zero")
        return self


class AssignPaidRepair(Command):
    """The unit a parked paid repair (one naming no billed unit) is charged to."""

    unit: BilledUnit


class SweepOverdue(Command):
    as_of: BusinessDate | None = None


# -- requests and answers ----------------------------------------------------------------


class PeriodRef(SiteRequest):
    period: Period


class OnPeriod(PeriodRef, Generic[P]):
    payload: P


class UnitRef(SiteRequest):
    unit: BilledUnit


class OnUnit(UnitRef, Generic[P]):
    """A posting on one unit's account: the unit and the caller's body."""

    payload: P


class OnPayment(OnUnit[P], Generic[P]):
    reference: Reference


class OnParkedRepair(SiteRequest, Generic[P]):
    work_order_id: UUID
    payload: P


class AsOfQuery(SiteRequest):
    as_of: BusinessDate | None = None  # the site's business day today when not given


class TableQuery(AsOfQuery):
    period: Period


class UnitsPage(BaseModel):
    """A page of a table's units in code-point order of the unit: at most `limit` units
    (1..500) after the unit `after` (the previous page's `next_after`; none: from the
    first). Without a limit the whole table. The totals are always over every unit."""

    limit: Annotated[int, Field(ge=1, le=MAX_PAGE)] | None = None
    after: UnitNumber | None = None


class ArrearsQuery(AsOfQuery, UnitsPage):
    pass


class GroupAsOfQuery(Request):
    as_of: BusinessDate | None = None


class LinePeriod(BaseModel):
    """The month a ledger line bills, as the account view has always shown it."""

    model_config = ConfigDict(from_attributes=True)  # read from the domain's Period

    year: int
    month: int


class LedgerLineView(BaseModel):
    """A debit line of a unit's account as booked (`charge_id`: the charge's, late fee's
    or adjustment's id), with what has been paid on it."""

    charge_id: str
    kind: Literal["charge", "late_fee", "adjustment"]
    period: LinePeriod
    fee_type: str | None
    description: str
    due_date: date | None
    amount: Decimal
    paid: Decimal


class AccountProfile(BaseModel):
    """What the unit is billed on each month (set when its units are registered)."""

    area_m2: Decimal
    parking_spaces: int
    phone_lines: int
    other_services: dict[str, Decimal]  # service name -> monthly amount


class AccountView(BaseModel):
    """One unit's account: its lines (oldest first), what is owed, the credit held."""

    unit: str
    currency: str
    outstanding: Decimal
    credit: Decimal
    balance: Decimal
    lines: list[LedgerLineView]
    statements: dict[str, date]  # period -> due date
    profile: (
        AccountProfile | None
    )  # None: an account opened (e.g. by a move-in) before its unit profile


class AccountPosting(AccountView):
    """The account after a payment or an adjustment; `recorded` is false when the same
    posting was already on it (a payment's reference is taken once per site)."""

    recorded: bool


RunStatus = Literal["open", "drafted", "approved", "issued", "closed"]


class RunView(BaseModel):
    """A month's billing run: where it stands on the site's sign-off chain, and what it
    bills per fee type."""

    period: str
    status: RunStatus
    approval_chain: list[str]
    approvals: dict[str, str]  # role -> approver, in the order signed
    awaiting: str | None  # the role that signs next; null once approved
    due_date: date | None
    receivable: dict[str, Decimal]  # fee type -> amount
    total_receivable: Decimal


class RunIssued(RunView):
    statements_issued: int


class RunDrafted(BaseModel):
    """The month's charges posted (once per unit, however often it runs) and the table
    drafted for sign-off."""

    period: str
    units: int
    charges_posted: int
    receivable: dict[str, Decimal]
    status: RunStatus


class UnitsRegistered(BaseModel):
    units: int
    new_units: int


class ReadingsRecorded(BaseModel):
    readings_recorded: int


class SweepReport(Answer):
    """What an overdue sweep did: statements marked overdue, dunning notices sent (the
    collection policy's written notice), late fees assessed, units escalated to the CS
    manager (0 each when nothing was due)."""

    overdue: int = 0
    dunning_notices: int = 0
    late_fees: int = 0
    escalations: int = 0


class ParkedRepairView(Answer):
    """A verified paid repair naming no billed unit (`unit`: as the work order named it,
    if at all), waiting for finance to assign it."""

    work_order_id: UUID
    number: str
    unit: str | None
    fee: Decimal
    verified_at: AwareDatetime


class UnbilledRepairs(Answer):
    repairs: list[ParkedRepairView]


class FeeTotals(Answer):
    """Amounts per fee type (one key per type in the table's `fee_types`, e.g.
    `management`, `water`, `late_fee`, `credit_adjustment`) and their `total`."""

    model_config = ConfigDict(extra="allow")
    __pydantic_extra__: dict[str, Decimal] = Field(init=False)

    total: Decimal


class FeeRow(FeeTotals):
    unit: str


class FeeTable(Answer):
    """The monthly receivable or paid table: per unit and fee type, as of a day."""

    table: Literal["receivable", "paid"]
    period: str
    as_of: date
    fee_types: list[str]
    units: list[FeeRow]
    totals: FeeTotals


class ArrearsTotals(Answer):
    """What is open, aged by due date: not yet due (`current`), days past due (0-30,
    31-60, 61-90, 90+), their sum (`outstanding`), and the credit held."""

    model_config = ConfigDict(extra="forbid", serialize_by_alias=True)

    current: Decimal
    days_0_30: Decimal = Field(alias="0-30")
    days_31_60: Decimal = Field(alias="31-60")
    days_61_90: Decimal = Field(alias="61-90")
    days_over_90: Decimal = Field(alias="90+")
    credit: Decimal
    outstanding: Decimal


class ArrearsRow(ArrearsTotals):
    unit: str


class ArrearsTable(Answer):
    """The units (all, or a page of them) and the totals over every unit; `next_after`:
    the cursor of the next page while more units follow."""

    as_of: date
    units: list[ArrearsRow]
    totals: ArrearsTotals
    next_after: str | None = None


class SiteArrears(ArrearsTotals):
    site_id: UUID


class GroupArrears(Answer):
    """Every site's arrears totals as of a day."""

    as_of: date
    sites: list[SiteArrears]


class CollectionDay(Answer):
    """Receivable and collected by the end of `date`; `rate` (4 places) is null while
    nothing is receivable."""

    date: date
    receivable: Decimal
    collected: Decimal
    rate: Decimal | None


class CollectionRate(Answer):
    """Collected / receivable day by day from the notice date (null before any notice)."""

    period: str
    notice_date: date | None
    days: list[CollectionDay]


SERVICE = "billing"
PING = ping(SERVICE)
SET_CLOCK = set_clock(SERVICE)
CONFIGURE = Method(SERVICE, "Configure", SiteCommand[ConfigureBilling], ConfigureBilling)
SET_RATE = Method(SERVICE, "SetRate", SiteCommand[SetRate], SetRate)
REGISTER_UNITS = Method(SERVICE, "RegisterUnits", SiteCommand[RegisterUnits], UnitsRegistered)
RECORD_WATER = Method(SERVICE, "RecordWater", SiteCommand[RecordWater], ReadingsRecorded)
RUN_MONTH = Method(SERVICE, "RunMonth", PeriodRef, RunDrafted)
APPROVE = Method(SERVICE, "Approve", PeriodRef, RunView)
ISSUE = Method(SERVICE, "Issue", OnPeriod[IssueStatements], RunIssued)
CLOSE = Method(SERVICE, "Close", PeriodRef, RunView)
GET_RUN = Method(SERVICE, "GetRun", PeriodRef, RunView, read=True)
SWEEP_OVERDUE = Method(SERVICE, "SweepOverdue", SiteCommand[SweepOverdue], SweepReport)
RECEIVE_PAYMENT = Method(SERVICE, "ReceivePayment", OnUnit[ReceivePayment], AccountPosting)
REVERSE_PAYMENT = Method(SERVICE, "ReversePayment", OnPayment[ReversePayment], AccountView)
ADJUST = Method(SERVICE, "Adjust", OnUnit[Adjust], AccountPosting)
UNBILLED_REPAIRS = Method(SERVICE, "UnbilledRepairs", SiteRequest, UnbilledRepairs, read=True)
ASSIGN_PAID_REPAIR = Method(
    SERVICE, "AssignPaidRepair", OnParkedRepair[AssignPaidRepair], AccountView
)
GET_ACCOUNT = Method(SERVICE, "GetAccount", UnitRef, AccountView, read=True)
RECEIVABLE = Method(SERVICE, "Receivable", TableQuery, FeeTable, read=True)
PAID = Method(SERVICE, "Paid", TableQuery, FeeTable, read=True)
ARREARS = Method(SERVICE, "Arrears", ArrearsQuery, ArrearsTable, read=True)
COLLECTION_RATE = Method(SERVICE, "CollectionRate", TableQuery, CollectionRate, read=True)
GROUP_ARREARS = Method(SERVICE, "GroupArrears", GroupAsOfQuery, GroupArrears, read=True)


# -- printables: the payment notice (缴费通知单) and the receipt (收据) as PDF ------------

Language = Literal["zh", "en"]  # Chinese by default; English on request
ReceiptNumber = Annotated[int, Field(ge=1, le=2**31 - 1)]


class SetLetterhead(Command):
    """What a site's printed notices and receipts are headed with: the site (in Chinese,
    and in English for `lang=en`), who receives the money, and how to pay."""

    site_name: Name
    site_name_en: Name | None = None
    payee: Name | None = None  # 收款单位, e.g. the management company
    how_to_pay: Text | None = None  # default: the seed's "到财务部交费" before the due date
    how_to_pay_en: Text | None = None


class NoticeRef(UnitRef):
    """A unit's payment notice of an issued month."""

    period: Period
    lang: Language = "zh"


class ReceiptRef(SiteRequest):
    """A receipt by its number at the site."""

    number: ReceiptNumber
    lang: Language = "zh"


class Printout(BaseModel):
    """A printable document; `content` is the PDF (base64 in JSON)."""

    model_config = ConfigDict(extra="forbid")

    filename: str
    content: Base64Bytes


SET_LETTERHEAD = Method(SERVICE, "SetLetterhead", SiteCommand[SetLetterhead], SetLetterhead)
GET_LETTERHEAD = Method(SERVICE, "GetLetterhead", SiteRequest, SetLetterhead, read=True)
PRINT_NOTICE = Method(SERVICE, "PrintNotice", NoticeRef, Printout, read=True)
PRINT_RECEIPT = Method(SERVICE, "PrintReceipt", ReceiptRef, Printout, read=True)


class FinalSettlement(BaseModel):
    """The final settlement statement drawn at a move-out (退租): what was owed, less the
    credit and the fit-out deposits still held; `balance` < 0 is refunded to the tenant."""

    model_config = ConfigDict(extra="forbid")

    tenancy_id: UUID
    reference: str
    moved_out_on: date
    outstanding: Decimal
    credit: Decimal
    deposits_held: Decimal
    balance: Decimal
    drawn_at: datetime


class TenancySpan(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tenancy_id: UUID
    billing_starts_on: date
    moved_out_on: date | None


class UnitTenancy(BaseModel):
    """A unit's tenancies as billing follows them: the days charges run, the fit-out
    deposits held (a liability, in no receivable table) and the final settlements."""

    model_config = ConfigDict(extra="forbid")

    unit: str
    tenancies: list[TenancySpan]
    deposits_held: Decimal
    final_settlements: list[FinalSettlement]


class Receipt(BaseModel):
    """A payment's receipt: numbered continuously per site; a void one is kept."""

    model_config = ConfigDict(extra="forbid")

    number: int
    unit: str
    reference: str
    amount: Decimal
    method: str
    issued_at: datetime
    voided_at: datetime | None
    void_reason: str | None
    cashier: str | None = None  # who took the payment (receipts before it was kept: null)


UNIT_TENANCY = Method(SERVICE, "UnitTenancy", UnitRef, UnitTenancy, read=True)
RECEIPTS = Method(SERVICE, "Receipts", SiteRequest, list[Receipt], read=True)


# -- collection follow-up (催缴) ---------------------------------------------------------

CollectionLevel = Literal["notice", "phone_reminder", "final_letter", "escalation"]
DaysPastDue = Annotated[int, Field(ge=0, le=365)]


class SetCollectionPolicy(Command):
    """The days past the due date at which each dunning level applies, each on or after
    the one before (seed 001: 客服部据此催缴; the manager 对欠费现象制订出对应方法)."""

    notice: DaysPastDue = 0
    phone_reminder: DaysPastDue = 7
    final_letter: DaysPastDue = 15
    escalation: DaysPastDue = 30  # the service refuses a level before the one before it,
    # naming that level


class CollectionPolicyView(SetCollectionPolicy):
    set_by: str | None  # null: the defaults, nobody set them


class RecordPhoneReminder(Command):
    """A collection call: `promised` names `promised_on` (on or after the call, at most
    92 days later); `refused` and `unreachable` name no date."""

    called_at: BusinessDateTime | None = None  # default: now; never after now
    outcome: Literal["promised", "refused", "unreachable"]
    promised_on: BusinessDate | None = None
    note: Text | None = None


class SendFinalLetter(Command):
    sent_at: BusinessDateTime | None = None  # default: now; never after now
    note: Text | None = None


class CollectionEntry(Answer):
    """One step of a unit's chase: a notice the sweep sent (`period`, `level`), a call
    with its outcome, a final letter, an escalation; who (`by`) and when (`at`)."""

    action: CollectionLevel
    at: AwareDatetime
    by: str | None  # null for the sweep's notices
    period: str | None
    outcome: Literal["promised", "refused", "unreachable"] | None
    promised_on: date | None
    note: str | None
    amount: Decimal  # overdue (due, for a notice) when it happened


class ChaseView(Answer):
    """Where a unit's chase stands: what it owes past due (since its oldest overdue due
    date), the levels done in this chase, the next one due by the policy, the last
    promise (pending, broken, or kept once nothing is overdue)."""

    unit: str
    amount_overdue: Decimal
    overdue_since: date | None
    days_overdue: int
    levels_done: list[CollectionLevel]
    next_level: CollectionLevel | None
    escalated: bool
    promised_on: date | None
    promise: Literal["pending", "broken", "kept"] | None


class CollectionLogView(ChaseView):
    """A unit's collection log, oldest first, with where its chase stands today."""

    as_of: date
    entries: list[CollectionEntry]


class CollectionToday(Answer):
    """The units to chase today, the largest overdue amount first, then the oldest."""

    as_of: date
    units: list[ChaseView]


SET_COLLECTION_POLICY = Method(
    SERVICE, "SetCollectionPolicy", SiteCommand[SetCollectionPolicy], CollectionPolicyView
)
GET_COLLECTION_POLICY = Method(
    SERVICE, "GetCollectionPolicy", SiteRequest, CollectionPolicyView, read=True
)
RECORD_PHONE_REMINDER = Method(
    SERVICE, "RecordPhoneReminder", OnUnit[RecordPhoneReminder], CollectionLogView
)
SEND_FINAL_LETTER = Method(SERVICE, "SendFinalLetter", OnUnit[SendFinalLetter], CollectionLogView)
COLLECTION_LOG = Method(SERVICE, "CollectionLog", UnitRef, CollectionLogView, read=True)
COLLECTION_TODAY = Method(SERVICE, "CollectionToday", AsOfQuery, CollectionToday, read=True)


# -- phone charges (电话费统计表) ------------------------------------------------------

MAX_CALLS = 100_000  # calls on one line in a month
MAX_MINUTES = 44_640  # minutes in a 31-day month: one line is busy at most all month


class LineCharges(Command):
    """One line number's month: calls, minutes and what they cost."""

    number: Phone
    calls: Annotated[int, Field(ge=0, le=MAX_CALLS)]
    minutes: Annotated[int, Field(ge=0, le=MAX_MINUTES)]
    amount: Money


class UnitCallCharges(Command):
    unit: BilledUnit
    lines: list[LineCharges] = Field(min_length=1, max_length=MAX_COUNT)

    @field_validator("lines")
    @classmethod
    def _each_number_once(cls, lines: list[LineCharges]) -> list[LineCharges]:
        numbers = [line.number for line in lines]
        if len(set(numbers)) != len(numbers):
            raise ValueError("each line number once per unit")
        return lines


class EnterPhoneCharges(Command):
    """The month's call-charge list as tallied (replaces what was entered, until it is
    verified); every unit once, each a unit billed at the site."""

    units: list[UnitCallCharges] = Field(min_length=1, max_length=200_000)

    @field_validator("units")
    @classmethod
    def _each_unit_once(cls, units: list[UnitCallCharges]) -> list[UnitCallCharges]:
        names = [entry.unit for entry in units]
        if len(set(names)) != len(names):
            raise ValueError("each unit once")
        return units


class UnitPhoneCharges(Answer):
    unit: str
    lines: list[LineCharges]
    total: Decimal
    posted_in: str | None  # the month its charges joined, once verified


class PhoneChargeListView(Answer):
    """A month's call-charge list with its detail, who entered and verified it."""

    period: str
    status: Literal["entered", "verified", "posted"]
    entered_by: str | None
    entered_at: AwareDatetime | None
    verified_by: str | None
    verified_at: AwareDatetime | None
    units: list[UnitPhoneCharges]
    total: Decimal


ENTER_PHONE_CHARGES = Method(
    SERVICE, "EnterPhoneCharges", OnPeriod[EnterPhoneCharges], PhoneChargeListView
)
VERIFY_PHONE_CHARGES = Method(SERVICE, "VerifyPhoneCharges", PeriodRef, PhoneChargeListView)
GET_PHONE_CHARGES = Method(SERVICE, "GetPhoneCharges", PeriodRef, PhoneChargeListView, read=True)
