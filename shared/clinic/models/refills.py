"""Refill requests: a patient asks, clinic staff approve (one refill used) or deny."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, Strict

from clinic.models.base import Input, Shape
from clinic.models.common import ShortText


class RefillStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"


class RefillDecisionKind(StrEnum):
    APPROVED = "approved"
    DENIED = "denied"


class QueueStatus(StrEnum):
    """The staff queue holds pending requests only."""

    PENDING = "pending"


class RefillRequest(Shape):
    request_id: str
    medication_id: str
    medication_name: str
    status: RefillStatus
    requested_at: int = Field(description="Epoch milliseconds")
    decided_at: int | None = Field(default=None, description="Epoch milliseconds; once decided")
    note: str | None = Field(default=None, description="The staff member's note with the decision, if any")


class RefillRequestPage(Shape):
    items: list[RefillRequest]
    next_cursor: str | None = Field(description="Opaque; pass back as `cursor` for the next page")


class StaffRefillRequest(RefillRequest):
    user_id: str = Field(description="The patient's user id")


class StaffRefillRequestPage(Shape):
    items: list[StaffRefillRequest]
    next_cursor: str | None = Field(description="Opaque; pass back as `cursor` for the next page")


class RefillDecision(Input):
    """Clinic staff decide a pending request; approving it uses one of the medication's refills."""

    decision: Annotated[RefillDecisionKind, Strict(False)]
    note: ShortText | None = None
