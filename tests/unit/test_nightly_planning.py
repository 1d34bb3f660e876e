"""Which nights a run plans (the schedule's night, nights it missed, a backfill), and how a
night's markers become work messages."""

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from clinic.models.rollups import MAX_USER_DAYS_PER_MESSAGE, MAX_USERS_PER_MESSAGE, PlanRequest, WorkMessage
from clinic.repositories.rollup_markers_table import Marker
from clinic.services.nightly import CATCH_UP_NIGHTS, messages, nights_to_plan
from tests.support.nightly import local_ms

EVENTS = Path(__file__).resolve().parents[2] / "events" / "rollups"


def scheduled(iso: str) -> PlanRequest:
    return PlanRequest.model_validate({"scheduledTime": iso})


def test_the_2am_run_plans_the_previous_clinic_day_whatever_the_utc_date():
    # 02:00 EST on Nov 25 is 07:00Z; the night to roll up is Nov 24 (local), not Nov 25 (UTC)
    assert nights_to_plan(scheduled("2026-11-25T07:00:00Z"), last_planned="2026-11-23", now_ms=0) == ["2026-11-24"]


def test_the_night_comes_from_the_scheduled_time_so_a_late_retry_plans_the_same_night():
    request = scheduled("2026-11-25T07:00:00Z")
    assert nights_to_plan(request, last_planned=None, now_ms=local_ms("2026-11-26", 1)) == ["2026-11-24"]


def test_a_retry_after_the_night_was_planned_plans_nothing():
    assert nights_to_plan(scheduled("2026-11-25T07:00:00Z"), last_planned="2026-11-24", now_ms=0) == []


def test_the_run_skipped_by_the_spring_forward_gap_is_caught_up_the_next_night():
    # 02:00 does not exist on 2026-03-08 in New York: EventBridge Scheduler skips that invocation,
    # so the night of Mar 7 is not planned then. The Mar 9 run (02:00 EDT = 06:00Z) plans both.
    request = PlanRequest.model_validate(json.loads((EVENTS / "schedule.json").read_text()))
    assert request.scheduled_time == "2026-03-09T06:00:00Z"
    assert nights_to_plan(request, last_planned="2026-03-06", now_ms=0) == ["2026-03-07", "2026-03-08"]


def test_catching_up_is_bounded():
    nights = nights_to_plan(scheduled("2026-11-25T07:00:00Z"), last_planned="2026-01-01", now_ms=0)
    assert len(nights) == CATCH_UP_NIGHTS and nights[-1] == "2026-11-24"


def test_a_backfill_plans_exactly_its_night():
    request = PlanRequest.model_validate(json.loads((EVENTS / "backfill.json").read_text()))
    assert nights_to_plan(request, last_planned="2026-11-24", now_ms=0) == ["2026-03-08"]


def test_without_a_scheduled_time_the_run_uses_the_current_time():
    assert nights_to_plan(PlanRequest(), last_planned=None, now_ms=local_ms("2026-11-25", 2)) == ["2026-11-24"]


@pytest.mark.parametrize("event", [{"day": "2026-02-30"}, {"day": "yesterday"}, {"scheduledTime": 5}, {"other": 1}])
def test_a_malformed_event_is_refused(event):
    with pytest.raises(ValidationError):
        PlanRequest.model_validate(event)


def test_messages_respect_both_bounds_and_cover_every_user_day():
    found = [Marker(f"user-{i}", tuple(f"2026-03-{d:02d}" for d in range(1, 1 + (i % 4) + 1))) for i in range(60)]
    found.append(Marker("importer", tuple(f"2026-01-{d:02d}" for d in range(1, 32)) +
                        tuple(f"2026-02-{d:02d}" for d in range(1, 29))))  # 59 days: split in two
    bodies = list(messages("2026-03-08", found))
    for body in bodies:
        WorkMessage.model_validate(body)  # every message is one the worker accepts
        assert len(body["users"]) <= MAX_USERS_PER_MESSAGE
        assert sum(len(u["days"]) for u in body["users"]) <= MAX_USER_DAYS_PER_MESSAGE
    sent = sorted((u["userId"], d) for b in bodies for u in b["users"] for d in u["days"])
    assert sent == sorted((m.user_id, d) for m in found for d in m.days)


def test_a_night_without_markers_has_no_messages():
    assert list(messages("2026-03-08", [])) == []
