"""The one entry wrapper for functions that internal callers invoke (pipelines, queues,
schedules), the counterpart of ``clinic.api.lambda_entry`` for HTTP functions.

Structured logs with the request id (never the event), metrics flushed per invocation, and an
unexpected error logged by type and place only, then raised again with a fixed message: Lambda
writes a raised error's message to the logs and hands it to the caller, and messages can carry PHI.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from clinic.observability import error_fingerprint, logger, metrics


class InvocationFailed(RuntimeError):
    """Something unexpected failed; nothing in this message comes from the event or the error."""


def internal_entry(process: Callable[[Any], Any]) -> Callable[[Any, Any], Any]:
    @logger.inject_lambda_context(clear_state=True)
    @metrics.log_metrics(capture_cold_start_metric=True)
    @functools.wraps(process)
    def handler(event: Any, context: Any) -> Any:
        try:
            return process(event)
        except Exception as error:  # noqa: BLE001 - logged by type and place, raised again without its message
            logger.error("invocation failed", extra=error_fingerprint(error))
            metrics.add_metric(name="UnhandledErrors", unit=MetricUnit.Count, value=1)
            raise InvocationFailed("the invocation failed; it is safe to retry") from None

    return handler  # type: ignore[no-any-return]  # Powertools' decorators are untyped
