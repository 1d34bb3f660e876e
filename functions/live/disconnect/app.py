"""LiveDisconnectFunction: the WebSocket API's ``$disconnect`` route; forgets the connection."""

from clinic.internal import internal_entry
from clinic.services import live
from clinic.settings import LiveConnections, check

check(LiveConnections)

handler = internal_entry(live.disconnect)
