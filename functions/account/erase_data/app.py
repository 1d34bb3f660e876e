"""Erasure worker (SQS, never behind API Gateway): deletes a deleted account's items from the
user-data tables, a bounded number per message, queueing the rest."""

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from clinic.observability import logger, metrics
from clinic.services import accounts
from clinic.settings import Erasure, check

check(Erasure)

# A bad message fails only itself (reported back to SQS, retried, then dead-lettered), even when it
# is the whole batch: no exception whose text would reach the logs.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def erase(record: SQSRecord) -> None:
    accounts.erase_or_requeue(accounts.parse_erasure(record.body))


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_partial_response(event=event, record_handler=erase, processor=processor, context=context)
