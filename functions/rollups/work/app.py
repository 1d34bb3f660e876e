"""Nightly rollups, step 2 (SQS): each message is a batch of users; a failed message is reported
alone (ReportBatchItemFailures), retried by SQS, and after 5 attempts lands in the DLQ."""

from typing import Any

from clinic.jobs import job_entry
from clinic.models.rollups import WorkMessage
from clinic.observability import error_fingerprint, logger, metrics
from clinic.services import nightly


def work(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    failures = []
    for record in event.get("Records", []):
        try:
            nightly.work(WorkMessage.model_validate_json(record["body"]))
        except Exception as error:  # noqa: BLE001 - one bad batch must not fail the others
            # The type and where only: messages and bodies may carry ids and values.
            logger.error("rollup batch failed", extra=error_fingerprint(error))
            metrics.add_metric(name="RollupBatchesFailed", unit="Count", value=1)
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}


handler = job_entry(work)
