"""The backfill of staff search's name look-ups (direct invoke by `clinic-admin deploy` after each
stack update, never behind API Gateway): a time-bounded part of the walk of the users each
invocation; the answer says where the next one starts, and when the walk is done."""

from typing import Any

from clinic.entry.invoke import invoke_entry
from clinic.models.users import NameBackfillRequest
from clinic.services import name_backfill
from clinic.settings import PatientNamesTable, check

check(PatientNamesTable)


def backfill(event: Any) -> dict[str, Any]:
    request = NameBackfillRequest.model_validate(event or {})
    return name_backfill.run(request.after, again=request.again).model_dump(mode="json")


handler = invoke_entry(backfill)
