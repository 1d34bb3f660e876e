"""GET /biomarkers/{name}/history: one biomarker's history, oldest first.

``resolution=raw`` (default): the readings with recordedAt in [from, to], paginated.
``resolution=daily``: the clinic-local days that contain [from, to] (default the last 365), one
point per day (min, max, avg, count, last) from the nightly rollups; one page, one Query.
"""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from clinic.api.params import BiomarkerNamePath, Cursor, From, Limit, To
from clinic.entry.http import current_user, lambda_entry, make_resolver, path_text, responses
from clinic.errors import InvalidInput
from clinic.models.biomarkers import ReadingPage
from clinic.models.common import PAGE_LIMIT_DEFAULT
from clinic.models.rollups import DailyHistory, Resolution
from clinic.services import biomarkers, rollups

app = make_resolver()


@app.get("/biomarkers/<name>/history", summary="One biomarker's readings, or its daily rollups, oldest first",
         description="`resolution=daily` answers one page (at most 366 clinic-local days) and takes no `cursor`; "
         "`from` must not be after `to`.", responses=responses())
def get_history(name: BiomarkerNamePath, resolution: Annotated[Resolution, Query()] = Resolution.RAW,
                from_: From = None, to: To = None, limit: Limit = PAGE_LIMIT_DEFAULT,
                cursor: Cursor = None) -> ReadingPage | DailyHistory:
    user_id = current_user(app).user_id
    biomarker = biomarkers.parse_name(path_text(name))
    if resolution is Resolution.DAILY:
        if cursor is not None:
            raise InvalidInput("the request is invalid", [{"in": "query", "field": "cursor", "issue": "not_allowed",
                                                          "message": "daily history is one page"}])
        return rollups.daily_history(user_id, biomarker, from_=from_, to=to)
    return biomarkers.history(user_id, biomarker, from_=from_, to=to, limit=limit, cursor=cursor)


handler = lambda_entry(app)
