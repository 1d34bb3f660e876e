"""Nightly rollups, step 2 (SQS): each message is a batch of users; a failed message is reported
alone (ReportBatchItemFailures), retried by SQS, and after 5 attempts lands in the DLQ."""

from clinic.entry.batch import batch_entry
from clinic.models.rollups import WorkMessage
from clinic.services import nightly


def work(body: str) -> None:
    nightly.work(WorkMessage.model_validate_json(body))


handler = batch_entry(work)
