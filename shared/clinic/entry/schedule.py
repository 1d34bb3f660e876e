"""The entry of a function an EventBridge schedule starts (or an operator invokes with the same
event to backfill): the event is parsed into the job's request model here, so the job takes a
domain input; a bad event is reported like any unexpected error and changes nothing.

An unexpected error is reported (``failure.report_unexpected``) and raised again as
``InvocationFailed`` with a fixed message (EventBridge retries the invocation).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel

from clinic.entry.failure import InvocationFailed, observed, report_unexpected

Request = TypeVar("Request", bound=BaseModel)


def schedule_entry(request: type[Request], run: Callable[[Request], dict[str, Any]]) -> Callable[[Any, Any], Any]:
    def handler(event: Any, context: Any) -> dict[str, Any]:
        try:
            return run(request.model_validate(event))
        except Exception as error:  # noqa: BLE001 - reported by type and place, raised again without its message
            report_unexpected(error, entry="schedule")
            raise InvocationFailed() from None

    return observed(handler)
