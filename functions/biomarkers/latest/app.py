"""GET /biomarkers/latest: the latest reading of each of the caller's biomarkers (the panel),
optionally only those of a category and/or status (what a count of the stats widget counts)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from clinic.api.params import Cursor, Limit
from clinic.entry.http import current_user, lambda_entry, make_resolver, responses
from clinic.models.biomarkers import Category, ReadingPage
from clinic.models.common import PAGE_LIMIT_DEFAULT, BiomarkerStatus
from clinic.services import biomarkers

app = make_resolver()


@app.get("/biomarkers/latest", summary="The latest reading of each biomarker, by name", responses=responses())
def list_latest(
    category: Annotated[Category | None, Query()] = None,
    status: Annotated[BiomarkerStatus | None, Query(description="Only biomarkers whose latest reading has this "
                                                    "status: the readings the stats count")] = None,
    limit: Limit = PAGE_LIMIT_DEFAULT,
    cursor: Cursor = None,
) -> ReadingPage:
    return biomarkers.latest(current_user(app).user_id, category=category, status=status, limit=limit, cursor=cursor)


handler = lambda_entry(app)
