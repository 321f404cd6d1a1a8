"""Moving the business clock (tests and demos only; refused unless enabled)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from contracts.fields import BusinessDateTime


class ClockChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    set_to: BusinessDateTime | None = None
    advance_seconds: int | None = Field(default=None, ge=0, le=10 * 366 * 86400)
    reset: bool = False

    @model_validator(mode="after")
    def _one_change(self) -> ClockChange:
        chosen = [self.set_to is not None, self.advance_seconds is not None, self.reset]
        if sum(chosen) != 1:
            raise ValueError("give exactly one of set_to, advance_seconds, reset")
        return self
