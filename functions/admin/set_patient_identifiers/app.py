"""PUT /admin/patients/{userId}/identifiers: the identifiers labs know a patient by (MRNs), so
lab results in FHIR find their patient; one transaction with the audit record."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from clinic.api.params import UserId
from clinic.entry.http import current_user, lambda_entry, make_resolver, responses
from clinic.models.identifiers import IdentifiersChange, PatientIdentifiers
from clinic.services import identifiers
from clinic.settings import PatientIdentifiersTable, check

check(PatientIdentifiersTable)

app = make_resolver(staff=True)


@app.put("/admin/patients/<userId>/identifiers", summary="Set a patient's identifiers (MRNs)",
         responses=responses(404, 409))
def set_patient_identifiers(user_id: UserId, change: Annotated[IdentifiersChange, Body()]) -> PatientIdentifiers:
    return identifiers.replace(current_user(app), user_id, change)


handler = lambda_entry(app)
