"""The AWS endpoint the runner provisioned, as its users see it: answering, not answering, or
restarted empty (an external ``AWS_ENDPOINT_URL`` server restarted: the stack's tables, queues and
user pool are gone, and every request would fail from then on).

The stream poller reports each failed and each successful pass here. A change of state is one
line in the runner's output (never one per failure), and an emptied endpoint calls
``on_emptied`` once: the runner then provisions and seeds it again (``clinic_local.cli``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

ANSWERING, UNREACHABLE, EMPTIED = "answering", "unreachable", "emptied"
MAX_BACKOFF_S = 5.0


class EndpointWatch:
    def __init__(self, ddb: Any, endpoint: str, probe_table: str, on_emptied: Callable[[], None],
                 say: Callable[[str], None] = lambda line: print(line, flush=True)) -> None:
        self._ddb = ddb
        self._endpoint = endpoint
        self._probe_table = probe_table  # any table the runner provisioned
        self._on_emptied = on_emptied
        self._say = say
        self.state = ANSWERING

    def answered(self) -> None:
        if self.state == UNREACHABLE:
            self._say(f"[runner] the AWS endpoint {self._endpoint} answers again; live updates resume")
            self.state = ANSWERING

    def failed(self) -> str:
        """A request to the endpoint failed: find out why (one probe), say so once per change of
        state; the state (``ANSWERING``: the endpoint is fine, the failure is the caller's own)."""
        if self.state == EMPTIED:
            return EMPTIED  # being provisioned again
        state = self._probe()
        if state == self.state:
            return state
        self.state = state
        if state == UNREACHABLE:
            self._say(f"[runner] the AWS endpoint {self._endpoint} does not answer; retrying with backoff "
                      f"(up to every {MAX_BACKOFF_S:.0f} s)")
        elif state == EMPTIED:
            self._say(f"[runner] the AWS endpoint {self._endpoint} was restarted empty: this stack's tables, "
                      "queues and user pool are gone. Provisioning and seeding it again now; sign in again "
                      "afterwards (earlier tokens are void)")
            self._on_emptied()
        return state

    def _probe(self) -> str:
        try:
            self._ddb.describe_table(TableName=self._probe_table)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
                return EMPTIED
            return UNREACHABLE
        except BotoCoreError:
            return UNREACHABLE
        return ANSWERING
