"""The demo data has what the patient's page shows: appointments behind and ahead, medications
that can and cannot be refilled, and a year of sensor history for the trend charts."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from clinic import catalog
from clinic_local.seed import (
    DAY_MS,
    DEMO_PEOPLE,
    demo_appointments,
    demo_medications,
    demo_readings,
    demo_refill_requests,
    today_ms,
)

ANCHOR = today_ms(datetime(2026, 3, 8, tzinfo=UTC))
AVA = DEMO_PEOPLE[0]


def test_the_demo_patient_has_past_and_upcoming_appointments():
    starts = [a["startTime"] for a in demo_appointments(AVA, ANCHOR)]
    assert any(s < ANCHOR for s in starts) and any(s > ANCHOR for s in starts)


def test_the_demo_patient_has_refillable_empty_and_inactive_medications():
    meds = demo_medications(AVA, ANCHOR)
    assert any(m["active"] and m["refills"] > 0 for m in meds)
    assert any(m["active"] and m["refills"] == 0 for m in meds)
    assert any(not m["active"] for m in meds)


def test_the_demo_patient_has_a_pending_refill_request_marked_on_its_medication_and_a_denied_one():
    meds = demo_medications(AVA, ANCHOR)
    requests = demo_refill_requests(AVA, ANCHOR, meds)
    (pending,) = [r for r in requests if r["status"] == "pending"]
    (denied,) = [r for r in requests if r["status"] == "denied"]
    marked = [m for m in meds if m.get("pendingRefillRequestId")]
    assert [(m["medicationId"], m["pendingRefillRequestId"]) for m in marked] == [
        (pending["medicationId"], pending["requestId"])]
    assert marked[0]["active"] and marked[0]["refills"] > 0 and denied["note"]
    # Another medication can still be refilled from the page
    assert any(m["active"] and m["refills"] > 0 and "pendingRefillRequestId" not in m for m in meds)


def test_sensor_history_covers_a_year_with_some_days_of_several_readings():
    heart_rate = [r for r in demo_readings(AVA, ANCHOR) if r.name == "Heart Rate"]
    assert catalog.CATALOG["Heart Rate"].kind == "sensor"
    assert min(r.recorded_at for r in heart_rate) <= ANCHOR - 365 * DAY_MS
    per_day = Counter(r.recorded_at // DAY_MS for r in heart_rate)
    assert max(per_day.values()) >= 2  # a daily min/max band, not only a line


def test_the_demo_data_is_the_same_on_every_run():
    assert demo_readings(AVA, ANCHOR) == demo_readings(AVA, ANCHOR)
