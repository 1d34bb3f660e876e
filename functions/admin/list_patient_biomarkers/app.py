"""GET /admin/patients/{userId}/biomarkers: a patient's readings, as GET /biomarkers (staff only;
audited)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from clinic.api.params import Cursor, From, Limit, To, UserId
from clinic.entry.http import current_user, lambda_entry, make_resolver, responses
from clinic.models.biomarkers import BiomarkerName, Category, ReadingPage
from clinic.models.common import PAGE_LIMIT_DEFAULT, BiomarkerStatus
from clinic.services import biomarkers, patients

app = make_resolver(staff=True)


@app.get("/admin/patients/<userId>/biomarkers", summary="A patient's readings, newest first",
         responses=responses(404))
def list_patient_biomarkers(
    user_id: UserId,
    name: Annotated[BiomarkerName | None, Query()] = None,
    category: Annotated[Category | None, Query()] = None,
    status: Annotated[BiomarkerStatus | None, Query()] = None,
    from_: From = None,
    to: To = None,
    limit: Limit = PAGE_LIMIT_DEFAULT,
    cursor: Cursor = None,
) -> ReadingPage:
    return patients.read(current_user(app), user_id, "biomarkers", lambda: biomarkers.list_for_user(
        user_id, name=name, category=category, status=status, from_=from_, to=to, limit=limit, cursor=cursor))


handler = lambda_entry(app)
