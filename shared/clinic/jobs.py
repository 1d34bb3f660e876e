"""Entry points of the functions that are not HTTP routes (schedules, queues): structured logs
with the request id (never the event), metrics flushed per invocation, as ``clinic.api`` does
for routes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from clinic.observability import logger, metrics

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


def job_entry(work: Handler) -> Handler:
    @logger.inject_lambda_context(clear_state=True)
    @metrics.log_metrics(capture_cold_start_metric=True)
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return work(event, context)

    return cast(Handler, handler)
