"""The entry of a function that takes SQS batches: each record goes to the work on its own
through Powertools' ``BatchProcessor``, and a record that fails fails only itself (reported back
as a ``batchItemFailures`` entry: SQS retries it, then dead-letters it), even when it is the whole batch.

The work takes the record's body (the entry unwraps the envelope). A failure is reported
(``failure.report_unexpected``) and handed to the processor as ``InvocationFailed`` with a fixed
message, so the original error's text reaches neither the processor nor the logs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from clinic.entry.failure import InvocationFailed, observed, report_unexpected


def batch_entry(work: Callable[[str], None]) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)

    def record_handler(record: SQSRecord) -> None:
        try:
            work(record.body)
        except Exception as error:  # noqa: BLE001 - reported by type and place, failed without its message
            report_unexpected(error, entry="batch")
            raise InvocationFailed("the record failed; SQS retries it") from None

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return dict(process_partial_response(event=event, record_handler=record_handler, processor=processor,
                                             context=context))

    return observed(handler)
