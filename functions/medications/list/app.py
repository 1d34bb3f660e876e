"""GET /medications: the caller's medications, most recently started first (`active` filter)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from clinic.api.params import Cursor, Limit
from clinic.entry.http import current_user, lambda_entry, make_resolver, responses
from clinic.models.common import PAGE_LIMIT_DEFAULT
from clinic.models.medications import MedicationPage
from clinic.services import medications

app = make_resolver()


@app.get("/medications", summary="The caller's medications", responses=responses())
def list_medications(active: Annotated[bool | None, Query()] = None, limit: Limit = PAGE_LIMIT_DEFAULT,
                     cursor: Cursor = None) -> MedicationPage:
    return medications.list_for_user(current_user(app).user_id, active=active, limit=limit, cursor=cursor)


handler = lambda_entry(app)
