"""LiveDisconnectFunction: the WebSocket API's ``$disconnect`` route; forgets the connection."""

from clinic.entry.invoke import invoke_entry
from clinic.services import live
from clinic.settings import LiveConnections, check

check(LiveConnections)

handler = invoke_entry(live.disconnect)
