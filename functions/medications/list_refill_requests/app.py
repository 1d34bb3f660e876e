"""GET /refill-requests: the caller's refill requests, newest first (`status` filter, exact pages)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from clinic.api.params import Cursor, Limit
from clinic.entry.http import current_user, lambda_entry, make_resolver, responses
from clinic.models.common import PAGE_LIMIT_DEFAULT
from clinic.models.refills import RefillRequestPage, RefillStatus
from clinic.services import refills

app = make_resolver()


@app.get("/refill-requests", summary="The caller's refill requests", responses=responses())
def list_refill_requests(status: Annotated[RefillStatus | None, Query()] = None, limit: Limit = PAGE_LIMIT_DEFAULT,
                         cursor: Cursor = None) -> RefillRequestPage:
    return refills.list_for_user(current_user(app).user_id, status=status, limit=limit, cursor=cursor)


handler = lambda_entry(app)
