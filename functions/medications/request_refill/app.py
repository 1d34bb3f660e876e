"""POST /medications/{medicationId}/refill-requests: ask the clinic for a refill of an active
medication with refills left. Nothing is used until staff approve; one pending request per
medication (a second is a 409)."""

from clinic.api.params import MedicationId
from clinic.entry.http import current_user, lambda_entry, make_resolver, responses
from clinic.models.refills import RefillRequest
from clinic.services import refills

app = make_resolver()


@app.post("/medications/<medicationId>/refill-requests", summary="Request a refill", status_code=201,
          responses=responses(404, 409, status=201, description="Requested; pending until clinic staff decide"))
def request_refill(medication_id: MedicationId) -> RefillRequest:
    return refills.request(current_user(app).user_id, medication_id)


handler = lambda_entry(app)
