"""LiveFanOutFunction: DynamoDB stream batches of BiomarkerSummary, Appointments and Medications
to ``{"type": "changed", "topic": ...}`` messages on the changed users' WebSocket connections;
failed records are reported back as ``batchItemFailures``."""

from clinic.internal import internal_entry
from clinic.services import live
from clinic.settings import LiveConnections, LiveDelivery, check

check(LiveConnections, LiveDelivery)

handler = internal_entry(live.handle_stream)
