"""GET /biomarkers/latest: the latest reading of each of the caller's biomarkers (the panel)."""

from clinic.api.params import Cursor, Limit
from clinic.entry.http import current_user, lambda_entry, make_resolver, responses
from clinic.models.biomarkers import ReadingPage
from clinic.models.common import PAGE_LIMIT_DEFAULT
from clinic.services import biomarkers

app = make_resolver()


@app.get("/biomarkers/latest", summary="The latest reading of each biomarker, by name", responses=responses())
def list_latest(limit: Limit = PAGE_LIMIT_DEFAULT, cursor: Cursor = None) -> ReadingPage:
    return biomarkers.latest(current_user(app).user_id, limit=limit, cursor=cursor)


handler = lambda_entry(app)
