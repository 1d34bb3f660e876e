"""GET /medications/{medicationId}: one of the caller's medications (404 for anyone else's)."""

from clinic.api.params import MedicationId
from clinic.entry.http import current_user, lambda_entry, make_resolver, responses
from clinic.models.medications import Medication
from clinic.services import medications

app = make_resolver()


@app.get("/medications/<medicationId>", summary="One of the caller's medications", responses=responses(404))
def get_medication(medication_id: MedicationId) -> Medication:
    return medications.get(current_user(app).user_id, medication_id)


handler = lambda_entry(app)
