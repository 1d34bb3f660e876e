"""IngestReadingsFunction: readings from sensor and lab pipelines, by direct Invoke
(``{"readings": [...]}``, per-item results) or from the ingest queue (partial batch failures).
Internal only: no API route; IAM decides who may invoke or send (template.yaml)."""

from typing import Any

from clinic.entry.invoke import invoke_entry
from clinic.services import ingest
from clinic.settings import PatientIdentifiersTable, check

check(PatientIdentifiersTable)  # a FHIR Observation's subject, found by its MRN


def readings(event: Any) -> dict[str, Any]:
    """An SQS batch (the whole batch in one write path: one reading per message), a direct
    invocation, or a lab's FHIR Bundle invoked directly."""
    if isinstance(event, dict) and "Records" in event:
        records = event["Records"]
        failed = ingest.from_queue([record.get("body") for record in records])
        return {"batchItemFailures": [{"itemIdentifier": records[index]["messageId"]} for index in failed]}
    if ingest.is_bundle(event):
        return ingest.from_bundle(event)
    return ingest.from_invoke(event)


handler = invoke_entry(readings)
