from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, Field

from clinic.models.base import Input, Shape


def _instant(text: str) -> str:
    if datetime.fromisoformat(text.replace("Z", "+00:00")).tzinfo is None:
        raise ValueError("scheduledTime must carry its offset")
    return text


class SweepRequest(Input):
    """The reminder sweep's event: the schedule's ``{"scheduledTime": ...}`` (a retry of a run
    sweeps the same instant); without it, now."""

    scheduled_time: Annotated[str, Field(max_length=40), AfterValidator(_instant)] | None = None

    def at_ms(self, now_ms: int) -> int:
        if self.scheduled_time is None:
            return now_ms
        return int(datetime.fromisoformat(self.scheduled_time.replace("Z", "+00:00")).timestamp() * 1000)


class SweepReport(Shape):
    sent: int
    skipped: int
    failed: int
