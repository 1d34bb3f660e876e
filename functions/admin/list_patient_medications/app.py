"""GET /admin/patients/{userId}/medications: a patient's medications (staff only; audited)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from clinic.api.params import Cursor, Limit, UserId
from clinic.entry.http import current_user, lambda_entry, make_resolver, responses
from clinic.models.common import PAGE_LIMIT_DEFAULT
from clinic.models.medications import MedicationPage
from clinic.services import medications, patients

app = make_resolver(staff=True)


@app.get(
    "/admin/patients/<userId>/medications", summary="A patient's medications", responses=responses(404)
)
def list_patient_medications(
    user_id: UserId,
    active: Annotated[bool | None, Query()] = None,
    limit: Limit = PAGE_LIMIT_DEFAULT,
    cursor: Cursor = None,
) -> MedicationPage:
    return patients.read(
        current_user(app),
        user_id,
        "medications",
        lambda: medications.list_for_user(user_id, active=active, limit=limit, cursor=cursor),
    )


handler = lambda_entry(app)
