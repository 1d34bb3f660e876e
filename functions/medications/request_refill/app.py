"""POST /medications/{medicationId}/refill-requests: one refill of an active medication with
refills left; one conditional update, so concurrent requests never take the count below zero."""

from clinic.api.params import MedicationId
from clinic.entry.http import current_user, lambda_entry, make_resolver, responses
from clinic.models.medications import RefillRequest
from clinic.services import medications

app = make_resolver()


@app.post("/medications/<medicationId>/refill-requests", summary="Request a refill", status_code=201,
          responses=responses(404, 409, status=201, description="Requested; one refill used"))
def request_refill(medication_id: MedicationId) -> RefillRequest:
    return medications.request_refill(current_user(app).user_id, medication_id)


handler = lambda_entry(app)
