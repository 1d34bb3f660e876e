"""Sending readings to the local stack's ingest function, the two ways pipelines do in AWS:

- ``invoke``: the handler is called in this process with a direct-invocation event
  (``{"readings": [...]}``, 1,000 at most), as ``lambda:InvokeFunction`` would;
- ``queue``: one message per reading to the local ingest queue (created from template.yaml),
  then the queue is drained the way Lambda's event source mapping does it: batches of the
  mapping's size, SQS-shaped events, successful messages deleted, reported failures left on the
  queue (they come back after the visibility timeout and, after the redrive policy's receive
  count, move to the dead-letter queue).

The caller points this process at the stack first (``attach``): the handlers read their
environment once, as in Lambda.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from clinic_local import stack as local_stack
from clinic_tools import handlers, template

FUNCTION = "IngestReadingsFunction"
MAX_PER_INVOKE = 1000
SQS_SEND_BATCH = 10


def attach(stack: local_stack.LocalStack) -> None:
    """Give this process the environment the stack's handlers run with, and forget any settings
    or clients made for another one."""
    from clinic import aws, settings

    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    os.environ.update(stack.environment())
    settings.reset()
    aws.reset()


@dataclass
class Tally:
    """What happened to what was sent."""

    outcomes: Counter[str] = field(default_factory=Counter)
    reasons: list[tuple[int, str]] = field(default_factory=list)  # (position in what was sent, reason)
    messages_ok: int = 0
    messages_failed: int = 0  # deliveries: a message failing again on redelivery counts again
    sent: int = 0

    def line(self) -> str:
        if self.outcomes:
            parts = ", ".join(f"{self.outcomes[k]} {k}" for k in ("accepted", "duplicate", "rejected", "failed"))
            return f"{self.sent} readings: {parts}"
        line = f"{self.sent} messages: {self.messages_ok} processed, {self.messages_failed} failed"
        if self.messages_failed:
            line += " (left on the queue; after 5 receives they move to the dead-letter queue)"
        return line

    def add(self, other: Tally) -> None:
        self.outcomes.update(other.outcomes)
        self.reasons += [(self.sent + position, reason) for position, reason in other.reasons]
        self.sent += other.sent
        self.messages_ok += other.messages_ok
        self.messages_failed += other.messages_failed


def _context() -> Any:
    from clinic_local.gateway import LambdaContext

    return LambdaContext(FUNCTION)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """The handler's metrics are EMF lines on stdout: CloudWatch takes them in AWS, a terminal
    should not show them."""
    with contextlib.redirect_stdout(io.StringIO()):
        yield


@cache
def _sqs(endpoint: str, region: str) -> Any:
    return local_stack.client("sqs", endpoint, region)


def invoke(readings: Sequence[Any], tally: Tally | None = None) -> Tally:
    """Direct invocations, 1,000 readings at most each."""
    tally = tally or Tally()
    handler = handlers.load_handler(FUNCTION)
    for start in range(0, len(readings), MAX_PER_INVOKE):
        with _quiet():
            body = handler({"readings": list(readings[start : start + MAX_PER_INVOKE])}, _context())
        if "error" in body:
            raise ValueError(body["error"]["message"])
        for result in body["results"]:
            tally.outcomes[result["outcome"]] += 1
            if "reason" in result:
                tally.reasons.append((tally.sent + start + result["index"], result["reason"]))
    tally.sent += len(readings)
    return tally


def invoke_bundle(bundle: Any) -> Tally:
    """One direct invocation with a FHIR Bundle; ``reasons`` are by Bundle entry index."""
    tally = Tally()
    with _quiet():
        body = handlers.load_handler(FUNCTION)(bundle, _context())
    if "error" in body:
        details = "; ".join(f"{d.get('field')}: {d.get('issue')}" for d in body["error"]["details"][:5])
        raise ValueError(body["error"]["message"] + (f" ({details})" if details else ""))
    for result in body["results"]:
        tally.outcomes[result["outcome"]] += 1
        if "reason" in result:
            tally.reasons.append((result["index"], result["reason"]))
    tally.sent = len(body["results"])
    return tally


def _ingest_queue(stack: local_stack.LocalStack) -> tuple[dict[str, str], template.QueueSource]:
    (source,) = [s for s in template.queue_sources() if s.function == FUNCTION]
    return stack.queues[source.queue], source


def send_to_queue(stack: local_stack.LocalStack, readings: Sequence[Any]) -> int:
    """One message per reading, 10 per SendMessageBatch; returns how many were sent."""
    queue, _ = _ingest_queue(stack)
    sqs = _sqs(stack.endpoint, stack.region)
    for start in range(0, len(readings), SQS_SEND_BATCH):
        chunk = readings[start : start + SQS_SEND_BATCH]
        entries = [{"Id": str(i), "MessageBody": json.dumps(r)} for i, r in enumerate(chunk)]
        response = sqs.send_message_batch(QueueUrl=queue["url"], Entries=entries)
        if response.get("Failed"):
            raise RuntimeError(f"the local queue refused {len(response['Failed'])} messages")
    return len(readings)


def drain(stack: local_stack.LocalStack, tally: Tally | None = None) -> Tally:
    """Feed every visible message of the ingest queue to the handler, as Lambda's event source
    mapping would, until none is visible."""
    tally = tally or Tally()
    queue, source = _ingest_queue(stack)
    sqs = _sqs(stack.endpoint, stack.region)
    handler = handlers.load_handler(FUNCTION)
    while True:
        messages: dict[str, dict[str, Any]] = {}  # by id: a batch holds each message once, as Lambda's does
        while len(messages) < source.batch_size:
            wanted = min(10, source.batch_size - len(messages))
            got = sqs.receive_message(QueueUrl=queue["url"], MaxNumberOfMessages=wanted, AttributeNames=["All"],
                                      WaitTimeSeconds=0).get("Messages", [])
            new = [m for m in got if m["MessageId"] not in messages]
            if not new:
                break
            messages.update((m["MessageId"], m) for m in new)
        if not messages:
            return tally
        event = {"Records": [_record(m, queue["arn"], stack.region) for m in messages.values()]}
        with _quiet():
            failures = {f["itemIdentifier"] for f in handler(event, _context())["batchItemFailures"]}
        done = [m for m in messages.values() if m["MessageId"] not in failures]
        for start in range(0, len(done), 10):
            sqs.delete_message_batch(QueueUrl=queue["url"], Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done[start : start + 10])])
        tally.messages_ok += len(done)
        tally.messages_failed += len(failures)


def _record(message: dict[str, Any], arn: str, region: str) -> dict[str, Any]:
    """An SQS event record, shaped as Lambda delivers it."""
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": {},
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": arn,
        "awsRegion": region,
    }
