"""GET /admin/refill-requests: the clinic's queue of pending refill requests, oldest first,
across all patients (staff only; every patient on a page is recorded as read)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from clinic.api.params import Cursor, Limit
from clinic.entry.http import current_user, lambda_entry, make_resolver, responses
from clinic.models.common import PAGE_LIMIT_DEFAULT
from clinic.models.refills import QueueStatus, StaffRefillRequestPage
from clinic.services import refills

app = make_resolver(staff=True)


@app.get("/admin/refill-requests", summary="Pending refill requests, oldest first", responses=responses())
def list_refill_requests(status: Annotated[QueueStatus, Query()] = QueueStatus.PENDING,
                         limit: Limit = PAGE_LIMIT_DEFAULT, cursor: Cursor = None) -> StaffRefillRequestPage:
    return refills.queue(current_user(app), limit=limit, cursor=cursor)


handler = lambda_entry(app)
