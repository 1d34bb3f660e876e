"""The entry of a Cognito user-pool trigger: the trigger's decision takes the event and returns it
(Cognito's own contract; the event holds emails, attributes and link secrets, so it is never logged).

A refusal (a ``DomainError`` such as ``SignInRefused``) reaches the client as Cognito's error with
its fixed message. Anything unexpected is reported (``failure.report_unexpected``) and raised again
as a bare error whose message says nothing: Cognito would show an exception's own text to the client.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from clinic.entry.failure import observed, report_unexpected
from clinic.errors import DomainError
from clinic.observability import logger

Event = dict[str, Any]


class TriggerFailed(RuntimeError):
    def __init__(self) -> None:
        super().__init__("sign-in is unavailable right now; try again")


def trigger_entry(decide: Callable[[Event], Event]) -> Callable[[Event, Any], Event]:
    def handler(event: Event, context: Any) -> Event:
        logger.append_keys(triggerSource=str(event.get("triggerSource", "")))
        try:
            return decide(event)
        except DomainError as refusal:
            logger.info("trigger refused", extra={"errorType": type(refusal).__name__})
            raise
        except Exception as error:  # noqa: BLE001 - reported by type and place, raised again without its message
            report_unexpected(error, entry="trigger")
            raise TriggerFailed() from None

    return observed(handler)
