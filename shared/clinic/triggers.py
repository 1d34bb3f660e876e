"""The Lambda handler for a Cognito user-pool trigger: structured logs with the request id
(never the event: it holds emails, attributes and link secrets), metrics flushed per invocation.

A refusal (SignInRefused) reaches the client as Cognito's error with its fixed message. Anything
unexpected is logged by type and place only, and re-raised as a bare error whose message says
nothing: Cognito would show an exception's own text to the client.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from clinic.errors import DomainError
from clinic.observability import error_fingerprint, logger, metrics

Event = dict[str, Any]


class TriggerFailed(RuntimeError):
    def __init__(self) -> None:
        super().__init__("sign-in is unavailable right now; try again")


def trigger_entry(decide: Callable[[Event], Event]) -> Callable[[Event, Any], Event]:
    @logger.inject_lambda_context(clear_state=True)
    @metrics.log_metrics(capture_cold_start_metric=True)
    def handler(event: Event, context: Any) -> Event:
        logger.append_keys(triggerSource=str(event.get("triggerSource", "")))
        try:
            return decide(event)
        except DomainError as refusal:
            logger.info("trigger refused", extra={"errorType": type(refusal).__name__})
            raise
        except Exception as error:  # noqa: BLE001 - logged by type and place, re-raised without its message
            logger.error("trigger failed", extra=error_fingerprint(error))
            metrics.add_metric(name="TriggerErrors", unit="Count", value=1)
            raise TriggerFailed() from None

    return cast(Callable[[Event, Any], Event], handler)
