"""Nightly rollups, step 1: the schedule's ``{"scheduledTime": ...}`` plans the previous
clinic-local night (and any missed since the checkpoint); ``{"day": "YYYY-MM-DD"}`` re-plans
that night (backfill). Reads only those nights' activity markers and queues users in batches."""

from typing import Any

from clinic.entry.schedule import schedule_entry
from clinic.models.rollups import PlanRequest
from clinic.services import nightly


def plan(request: PlanRequest) -> dict[str, Any]:
    result = nightly.plan(request)
    return {"nights": result.nights, "users": result.users, "messages": result.messages}


handler = schedule_entry(PlanRequest, plan)
