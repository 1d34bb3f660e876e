"""POST /admin/patients/{userId}/biomarkers: a clinician enters lab results for a patient,
through the same write path as ingest (staff only; audited)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from clinic.api.params import UserId
from clinic.entry.http import current_user, lambda_entry, make_resolver, responses
from clinic.models.biomarkers import LabEntry, LabEntryResult
from clinic.services import biomarkers, users

app = make_resolver(staff=True)


@app.post("/admin/patients/<userId>/biomarkers", summary="Enter lab results for a patient",
          responses=responses(404, description="One outcome per result, in order"))
def record_patient_biomarkers(user_id: UserId, entry: Annotated[LabEntry, Body()]) -> LabEntryResult:
    actor = current_user(app)
    users.get(user_id)  # 404 for no such patient
    return biomarkers.enter_lab_results(actor, user_id, entry)


handler = lambda_entry(app)
