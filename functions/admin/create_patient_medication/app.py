"""POST /admin/patients/{userId}/medications: staff prescribe (audited in the same transaction)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from clinic.api import current_admin, lambda_entry, make_resolver, responses
from clinic.api.params import UserId
from clinic.models.medications import Medication, MedicationCreate
from clinic.services import audit, medications, patients

app = make_resolver()


@app.post("/admin/patients/<userId>/medications", summary="Prescribe a medication", status_code=201,
          responses=responses(404, admin=True, status=201, description="Prescribed"))
def create_patient_medication(user_id: UserId, prescription: Annotated[MedicationCreate, Body()]) -> Medication:
    return patients.change(current_admin(app), user_id, audit.CREATE, "medication",
                           lambda also: medications.create(user_id, prescription, also=also))


handler = lambda_entry(app, staff_only=True)
