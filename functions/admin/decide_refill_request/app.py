"""PATCH /admin/refill-requests/{requestId}: staff approve (one refill used) or deny a pending
refill request; the request, the medication and the audit record in one transaction (409 once
decided, or when no refill is left)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from clinic.api.params import RequestId
from clinic.entry.http import current_user, lambda_entry, make_resolver, responses
from clinic.models.refills import RefillDecision, StaffRefillRequest
from clinic.services import refills

app = make_resolver(staff=True)


@app.patch("/admin/refill-requests/<requestId>", summary="Approve or deny a refill request",
           responses=responses(404, 409))
def decide_refill_request(request_id: RequestId, decision: Annotated[RefillDecision, Body()]) -> StaffRefillRequest:
    return refills.decide(current_user(app), request_id, decision)


handler = lambda_entry(app)
