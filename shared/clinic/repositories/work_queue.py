"""The rollup work queue (SQS): the planner sends batches of users to the worker."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from clinic import aws
from clinic.repositories import dynamo
from clinic.settings import Rollups, get_settings

SEND_BATCH_MAX = 10  # SQS SendMessageBatch entries per request


class SendFailed(RuntimeError):
    """SQS kept refusing some messages after every retry (the planner's invocation is retried)."""


def send_all(bodies: Sequence[Mapping[str, Any]]) -> int:
    """Send every body (10 per request), retrying refused entries with bounded backoff.

    A retry of the whole planner may send a body twice; the worker's writes are idempotent.
    Returns the number of requests made.
    """
    client = aws.client("sqs")
    url = get_settings(Rollups).rollup_queue_url
    requests = 0
    for chunk in dynamo.chunked(list(bodies), SEND_BATCH_MAX):
        pending = {str(i): json.dumps(body, separators=(",", ":")) for i, body in enumerate(chunk)}
        delays = dynamo.backoff_delays()
        while pending:
            response = client.send_message_batch(
                QueueUrl=url, Entries=[{"Id": i, "MessageBody": b} for i, b in pending.items()])
            requests += 1
            refused = {f["Id"] for f in response.get("Failed", [])}
            pending = {i: b for i, b in pending.items() if i in refused}
            if pending:
                delay = next(delays, None)
                if delay is None:
                    raise SendFailed("the rollup work queue refused messages after all retries")
                dynamo.sleep(delay)
    return requests
