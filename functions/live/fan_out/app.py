"""LiveFanOutFunction: DynamoDB stream batches of BiomarkerSummary, Appointments and Medications
to ``{"type": "changed", "topic": ...}`` messages on the changed users' WebSocket connections;
failed records are reported back as ``batchItemFailures``."""

from typing import Any

from clinic.entry.invoke import invoke_entry
from clinic.entry.stream import failures, records_of
from clinic.services import live
from clinic.settings import LiveConnections, LiveDelivery, check

check(LiveConnections, LiveDelivery)


def fan_out(event: dict[str, Any]) -> dict[str, Any]:
    changes = [live.Change(record.table, record.keys["userId"], record.sequence_number)
               for record in records_of(event) if "userId" in record.keys]
    return failures(live.fan_out(changes).failed_sequence_numbers)


handler = invoke_entry(fan_out)
