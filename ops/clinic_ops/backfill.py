"""The data changes a release needs, run by `clinic-admin deploy` once the stack is updated, so an
existing stack needs no manual step: each is a function of the stack invoked until it answers
``done`` (the work runs in AWS, a time-bounded part per invocation; this process only carries
the position from one answer to the next invocation).

- IndexPatientNamesFunction: the name look-ups of staff search for users created before them
  (docs/decisions.md 63). A finished walk is recorded, so later deploys cost one GetItem;
  ``clinic-admin backfill --again`` walks anyway (after a release older than this one ran).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

NAME_INDEX_FUNCTION = "IndexPatientNamesFunction"
MAX_INVOCATIONS = 100_000  # 20 s of work each: far beyond any walk (10M users: ~2,000)


class BackfillFailed(RuntimeError):
    pass


def index_patient_names(invoke: Callable[[dict[str, Any]], dict[str, Any]], *, again: bool = False,
                        say: Callable[[str], None] = print) -> dict[str, int]:
    """Invoke the backfill (``invoke(payload) -> answer``) until it is done; the totals."""
    after: Any = None
    totals = {"invocations": 0, "checked": 0, "updated": 0}
    for _ in range(MAX_INVOCATIONS):
        answer = invoke({"after": after, "again": again})
        totals["invocations"] += 1
        totals["checked"] += int(answer["checked"])
        totals["updated"] += int(answer["updated"])
        if answer.get("alreadyDone"):
            say("name look-ups: done in an earlier deploy")
            return totals
        if answer["done"]:
            say(f"name look-ups: {totals['checked']} users checked, {totals['updated']} given their look-ups")
            return totals
        after = answer["after"]
        if totals["invocations"] % 10 == 0:
            say(f"name look-ups: {totals['checked']} users checked so far, {totals['updated']} updated")
    raise BackfillFailed("the name look-ups' backfill did not finish")


def lambda_invoker(lambda_client: Any, function_name: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Synchronous invocations of ``function_name``; a failed one raises with its error type only
    (the function's messages are fixed sentences, never data)."""
    def invoke(payload: dict[str, Any]) -> dict[str, Any]:
        response = lambda_client.invoke(FunctionName=function_name, InvocationType="RequestResponse",
                                        Payload=json.dumps(payload).encode())
        body = json.loads(response["Payload"].read() or b"null")
        if response.get("FunctionError"):
            kind = body.get("errorType", "error") if isinstance(body, dict) else "error"
            raise BackfillFailed(f"{function_name} failed ({kind}); deploy again, or run `clinic-admin backfill`, "
                                 "to go on: the walk repeats harmlessly")
        return dict(body)
    return invoke
