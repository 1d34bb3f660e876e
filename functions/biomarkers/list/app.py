"""GET /biomarkers: the caller's readings, newest first, filtered by name, category, status and
time; one Query per page whatever the history."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from clinic.api.params import Cursor, From, Limit, To
from clinic.entry.http import current_user, lambda_entry, make_resolver, responses
from clinic.models.biomarkers import BiomarkerName, Category, ReadingPage
from clinic.models.common import PAGE_LIMIT_DEFAULT, BiomarkerStatus
from clinic.services import biomarkers

app = make_resolver()


@app.get("/biomarkers", summary="The caller's readings, newest first", responses=responses())
def list_biomarkers(
    name: Annotated[BiomarkerName | None, Query()] = None,
    category: Annotated[Category | None, Query()] = None,
    status: Annotated[BiomarkerStatus | None, Query()] = None,
    from_: From = None,
    to: To = None,
    limit: Limit = PAGE_LIMIT_DEFAULT,
    cursor: Cursor = None,
) -> ReadingPage:
    return biomarkers.list_for_user(current_user(app).user_id, name=name, category=category, status=status,
                                    from_=from_, to=to, limit=limit, cursor=cursor)


handler = lambda_entry(app)
