"""LiveDisconnectFunction: the WebSocket API's ``$disconnect`` route; forgets the connection."""

from typing import Any

from clinic.entry.invoke import invoke_entry
from clinic.services import live
from clinic.settings import LiveConnections, check

check(LiveConnections)


def disconnect(event: dict[str, Any]) -> dict[str, int]:
    live.disconnect(event["requestContext"]["connectionId"])
    return {"statusCode": 200}


handler = invoke_entry(disconnect)
