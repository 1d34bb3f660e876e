"""GET /biomarkers/{name}/history: one biomarker's history, oldest first.

``resolution=raw`` (default): the readings with recordedAt in [from, to], paginated.
``resolution=daily``: the clinic-local days that contain [from, to] (default the last 365), one
point per day (min, max, avg, count, last) from the nightly rollups; one page, one Query.
"""

from typing import Annotated
from urllib.parse import unquote

from aws_lambda_powertools.event_handler.openapi.params import Query

from clinic.api import current_user, lambda_entry, make_resolver
from clinic.errors import InvalidInput
from clinic.models.biomarkers import ReadingPage
from clinic.models.common import MAX_EPOCH_MS, PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX
from clinic.models.rollups import DailyHistory, Resolution
from clinic.services import history, rollups

app = make_resolver()


@app.get("/biomarkers/<name>/history", summary="One biomarker's readings, or its daily rollups, oldest first")
def get_history(
    name: str,
    resolution: Annotated[Resolution, Query()] = Resolution.RAW,
    from_: Annotated[int | None, Query(alias="from", ge=0, le=MAX_EPOCH_MS, description="Epoch ms, inclusive")] = None,
    to: Annotated[int | None, Query(ge=0, le=MAX_EPOCH_MS, description="Epoch ms, inclusive")] = None,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX, description="raw only")] = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[str | None, Query(max_length=2048, description="raw only")] = None,
) -> ReadingPage | DailyHistory:
    user_id = current_user(app).user_id
    biomarker = history.parse_name(unquote(name))
    if resolution is Resolution.DAILY:
        if cursor is not None:
            raise InvalidInput("the request is invalid", [{"in": "query", "field": "cursor", "issue": "not_allowed",
                                                          "message": "daily history is one page"}])
        return rollups.daily_history(user_id, biomarker, from_=from_, to=to)
    return history.raw(user_id, biomarker, from_=from_, to=to, limit=limit, cursor=cursor)


handler = lambda_entry(app)
