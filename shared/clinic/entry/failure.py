"""What every entry does with an error it did not expect: log its type and where it came from
(never its message: messages can carry PHI), count it, and hand its caller a fixed sentence.

Lambda writes a raised error's message to the logs and hands it to the caller (Cognito shows it
to the user), so an entry never lets the original error out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, TypeVar, cast

from aws_lambda_powertools.metrics import MetricUnit

from clinic.observability import error_fingerprint, logger, metrics

Kind = Literal["http", "trigger", "batch", "invoke", "schedule"]
F = TypeVar("F", bound=Callable[..., Any])


class InvocationFailed(RuntimeError):
    """Something unexpected failed; nothing in this message comes from the event or the error."""

    def __init__(self, message: str = "the invocation failed; it is safe to retry") -> None:
        super().__init__(message)


def report_unexpected(error: BaseException, *, entry: Kind) -> None:
    logger.error("unhandled error", extra={"entry": entry, **error_fingerprint(error)})
    metrics.add_metric(name="UnhandledErrors", unit=MetricUnit.Count, value=1)


def observed(handler: F, *, correlation_id_path: str | None = None) -> F:
    """``handler`` with structured logs carrying the request id (never the event), state cleared
    between invocations, and metrics (with the cold start) flushed per invocation."""
    logged = logger.inject_lambda_context(handler, correlation_id_path=correlation_id_path, clear_state=True)
    return cast(F, metrics.log_metrics(logged, capture_cold_start_metric=True))
