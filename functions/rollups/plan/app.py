"""Nightly rollups, step 1: the schedule's ``{"scheduledTime": ...}`` plans the previous
clinic-local night (and any missed since the checkpoint); ``{"day": "YYYY-MM-DD"}`` re-plans
that night (backfill). Reads only those nights' activity markers and queues users in batches."""

from typing import Any

from clinic.jobs import job_entry
from clinic.models.rollups import PlanRequest
from clinic.services import nightly


def plan(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    result = nightly.plan(PlanRequest.model_validate(event))
    return {"nights": result.nights, "users": result.users, "messages": result.messages}


handler = job_entry(plan)
