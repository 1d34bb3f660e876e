"""LiveConnectFunction: the WebSocket API's ``$connect`` route. Verifies the Cognito ID token in
the ``token`` query parameter (as the REST authorizer would) and stores the connection under the
token's user; any other answer than 200 refuses the handshake and stores nothing."""

from typing import Any

from clinic.entry.invoke import invoke_entry
from clinic.services import live
from clinic.settings import LiveConnections, LiveTokens, check

check(LiveConnections, LiveTokens)


def connect(event: dict[str, Any]) -> dict[str, int]:
    token = (event.get("queryStringParameters") or {}).get("token")
    return {"statusCode": live.connect(event["requestContext"]["connectionId"], token)}


handler = invoke_entry(connect)
