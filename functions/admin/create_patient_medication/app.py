"""POST /admin/patients/{userId}/medications: staff prescribe (audited in the same transaction)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from clinic.api.params import UserId
from clinic.entry.http import current_user, lambda_entry, make_resolver, responses
from clinic.models.medications import Medication, MedicationCreate
from clinic.services import audit, medications, patients

app = make_resolver(staff=True)


@app.post("/admin/patients/<userId>/medications", summary="Prescribe a medication", status_code=201,
          responses=responses(404, status=201, description="Prescribed"))
def create_patient_medication(user_id: UserId, prescription: Annotated[MedicationCreate, Body()]) -> Medication:
    return patients.change(current_user(app), user_id, audit.CREATE, "medication",
                           lambda also: medications.create(user_id, prescription, also=also))


handler = lambda_entry(app)
