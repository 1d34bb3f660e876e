"""GET /admin/audit: who read or changed a patient's records (patientId), or what one staff
member did (actorId); newest first."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from clinic.api.params import Cursor, Limit
from clinic.entry.http import current_user, lambda_entry, make_resolver, responses
from clinic.errors import InvalidInput
from clinic.models.audit import AuditPage
from clinic.models.common import ID_PATTERN, PAGE_LIMIT_DEFAULT
from clinic.services import audit

app = make_resolver(staff=True)



@app.get("/admin/audit", summary="Audit records of a patient (patientId) or of a staff member (actorId)",
         responses=responses())
def list_audit_events(
    patient_id: Annotated[str | None, Query(alias="patientId", pattern=ID_PATTERN, max_length=64)] = None,
    actor_id: Annotated[str | None, Query(alias="actorId", pattern=ID_PATTERN, max_length=64)] = None,
    limit: Limit = PAGE_LIMIT_DEFAULT,
    cursor: Cursor = None,
) -> AuditPage:
    actor = current_user(app)
    if (patient_id is None) == (actor_id is None):
        raise InvalidInput(
            "give exactly one of patientId and actorId",
            [{"in": "query", "field": "patientId", "issue": "one_of_patientId_actorId"}],
        )
    return audit.list_events(actor, patient_id=patient_id, actor_id=actor_id, limit=limit, cursor=cursor)


handler = lambda_entry(app)
