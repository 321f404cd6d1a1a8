"""Commands of the feedback service (gateway JSON and gRPC payloads)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from contracts.feedback import Cause, Channel, ComplaintCategory
from contracts.fields import Label, Name, OptionalName, Phone, Quarter, Text, UnitNumber


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RegisterComplaint(Command):
    channel: Channel
    complainant: Name
    unit: UnitNumber | None = None
    company: OptionalName = None
    contact_phone: Phone | None = None
    category: ComplaintCategory
    content: Text


class RejectComplaint(Command):
    reason: Text


class InvestigateComplaint(Command):
    cause: Cause
    notes: Text


class EscalateComplaint(Command):
    escalated_to: Name
    reason: Text


class ResolveComplaint(Command):
    resolution: Text


class ReplyToComplainant(Command):
    channel: Channel
    message: Text


class ReopenComplaint(Command):
    reason: Text


class LogTenantVisit(Command):
    unit: UnitNumber
    tenant: OptionalName = None
    visited_by: Name
    findings: list[Label] = Field(default_factory=list, max_length=50)
    follow_ups: list[Label] = Field(default_factory=list, max_length=50)


class RecordSurveyResponse(Command):
    unit: UnitNumber | None = None
    quarter: Quarter
    # Question -> score 1 (very dissatisfied) .. 5 (very satisfied).
    scores: dict[Name, Annotated[int, Field(ge=1, le=5)]] = Field(min_length=1, max_length=50)


class ConfigureFeedback(Command):
    # Hours to reply; None keeps the default: the same business day.
    reply_within_hours: Annotated[int, Field(ge=1, le=720)] | None = None
