"""PATCH /admin/patients/{userId}/medications/{medicationId}: staff change a prescription
(409 on a lost race; audited in the same transaction)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from clinic.api.params import MedicationId, UserId
from clinic.entry.http import current_user, lambda_entry, make_resolver, responses
from clinic.models.medications import Medication, MedicationChange
from clinic.services import audit, medications, patients

app = make_resolver(staff=True)


@app.patch("/admin/patients/<userId>/medications/<medicationId>", summary="Change a prescription",
           responses=responses(404, 409))
def update_patient_medication(user_id: UserId, medication_id: MedicationId,
                              change: Annotated[MedicationChange, Body()]) -> Medication:
    return patients.change(current_user(app), user_id, audit.UPDATE, f"medication:{medication_id}",
                           lambda also: medications.change(user_id, medication_id, change, also=also))


handler = lambda_entry(app)
