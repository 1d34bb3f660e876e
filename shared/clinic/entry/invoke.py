"""The entry of a function that internal callers invoke directly (pipelines, the WebSocket API,
a DynamoDB stream): the function's work takes the event and returns what the caller gets back.

An unexpected error is reported (``failure.report_unexpected``) and raised again as
``InvocationFailed`` with a fixed message: Lambda writes a raised error's message to the logs and
hands it to the caller, and messages can carry PHI.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from clinic.entry.failure import InvocationFailed, observed, report_unexpected

__all__ = ["InvocationFailed", "invoke_entry"]


def invoke_entry(process: Callable[[Any], Any]) -> Callable[[Any, Any], Any]:
    def handler(event: Any, context: Any) -> Any:
        try:
            return process(event)
        except Exception as error:  # noqa: BLE001 - reported by type and place, raised again without its message
            report_unexpected(error, entry="invoke")
            raise InvocationFailed() from None

    return observed(handler)
