"""A night of rollups, run locally: the planner's handler, then the worker's handler fed from the
work queue the way Lambda's SQS event source feeds it (up to 10 messages per invocation; the
messages a batch reports as failed are retried, and after the queue's maxReceiveCount they move
to its dead-letter queue, as in AWS). The tests use it too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

PLANNER = "PlanNightlyRollupsFunction"
WORKER = "RollupWorkerFunction"

Invoke = Callable[[str, dict[str, Any]], dict[str, Any]]


@dataclass
class NightReport:
    planned: dict[str, Any]
    invocations: int = 0
    failed_batches: list[str] = field(default_factory=list)  # message ids, one per failed attempt


def sqs_event(messages: list[dict[str, Any]], queue_arn: str, region: str = "us-east-1") -> dict[str, Any]:
    """An SQS event for Lambda, as the event source mapping builds it."""
    return {"Records": [{
        "messageId": m["MessageId"],
        "receiptHandle": m["ReceiptHandle"],
        "body": m["Body"],
        "attributes": m.get("Attributes", {}),
        "messageAttributes": {},
        "md5OfBody": m.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    } for m in messages]}


def drain(sqs: Any, queue_url: str, invoke: Invoke, report: NightReport) -> None:
    arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    while True:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0,
                                       AttributeNames=["All"]).get("Messages", [])
        if not messages:
            return
        result = invoke(WORKER, sqs_event(messages, arn))
        report.invocations += 1
        failed = {f["itemIdentifier"] for f in (result or {}).get("batchItemFailures", [])}
        for message in messages:
            if message["MessageId"] in failed:
                report.failed_batches.append(message["MessageId"])
                # Visible again at once (AWS waits for the visibility timeout) so the run retries it.
                sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"],
                                              VisibilityTimeout=0)
            else:
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


def run(event: dict[str, Any], sqs: Any, queue_url: str, invoke: Invoke) -> NightReport:
    """Plan (``{"day": ...}`` backfills a night; ``{}`` is tonight's scheduled run) and work."""
    report = NightReport(planned=invoke(PLANNER, event))
    drain(sqs, queue_url, invoke, report)
    return report
