"""The process's logger and metrics, shared by every entry point.

Rules (PHI): never log an event, a body, a claim, an exception message or a user's data; log
what happened, the request id and error types. Metric dimensions are fixed names, never values
from a request.
"""

from __future__ import annotations

import traceback

from aws_lambda_powertools.logging import Logger
from aws_lambda_powertools.metrics import Metrics

logger = Logger(log_uncaught_exceptions=False)
metrics = Metrics()


def error_fingerprint(error: BaseException) -> dict[str, object]:
    """Where an unexpected error came from, without its message (messages can carry PHI)."""
    frames = traceback.extract_tb(error.__traceback__)[-6:]
    return {
        "errorType": type(error).__name__,
        "frames": [f"{f.filename.rsplit('/', 2)[-1]}:{f.lineno}:{f.name}" for f in frames],
    }
