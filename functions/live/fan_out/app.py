"""LiveFanOutFunction: DynamoDB stream batches of BiomarkerSummary, Appointments and Medications
to ``{"type": "changed", "topic": ...}`` messages on the changed users' WebSocket connections;
failed records are reported back as ``batchItemFailures``."""

from clinic.entry.invoke import invoke_entry
from clinic.services import live
from clinic.settings import LiveConnections, LiveDelivery, check

check(LiveConnections, LiveDelivery)

handler = invoke_entry(live.handle_stream)
