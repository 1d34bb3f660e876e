"""Deterministic demo data: the same people, readings and appointments on every run (dates are
relative to the day the stack starts), written through the same code paths production uses."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from clinic import catalog, clock
from clinic.models.biomarkers import NewReading
from clinic.repositories import (
    appointments_table,
    keys,
    medications_table,
    refill_requests_table,
    rollups_table,
    users_table,
)
from clinic.services import days, nightly, readings

DAY_MS = 86_400_000
CLINIC_TZ = ZoneInfo("America/New_York")


@dataclass(frozen=True)
class DemoPerson:
    email: str
    name: str
    role: str
    biomarkers: int  # how many catalog biomarkers they have readings for
    lab_draws: int
    appointments: int
    seed: int
    sensor_days: int = 7  # how far back their sensors' readings go


DEMO_PEOPLE = (
    DemoPerson("ava.patel@demo.clinic.test", "Ava Patel", "patient",
               biomarkers=86, lab_draws=5, appointments=56, seed=1, sensor_days=400),
    DemoPerson("ben.ortiz@demo.clinic.test", "Ben Ortiz", "patient",
               biomarkers=20, lab_draws=3, appointments=8, seed=2),
    DemoPerson("carmen.reyes@demo.clinic.test", "Dr. Carmen Reyes", "admin",
               biomarkers=0, lab_draws=0, appointments=0, seed=3),
)

APPOINTMENT_TITLES = {
    "checkup": "Annual physical",
    "lab": "Blood draw",
    "consultation": "Results consultation",
    "follow-up": "Follow-up visit",
    "telehealth": "Video visit",
    "imaging": "Ultrasound",
    "vaccination": "Flu shot",
}
MEDICATIONS = (("Metformin", "500 mg twice daily"), ("Atorvastatin", "20 mg nightly"),
               ("Vitamin D3", "2000 IU daily"), ("Lisinopril", "10 mg daily"),
               ("Levothyroxine", "50 mcg daily"), ("Omega-3", "1 g daily"))


def today_ms(now: datetime | None = None) -> int:
    now = now or datetime.now(UTC)
    return int(datetime(now.year, now.month, now.day, tzinfo=UTC).timestamp() * 1000)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _value(rng: random.Random, ref: catalog.Reference) -> float:
    """Mostly optimal, sometimes merely in range, now and then out of range."""
    low, high = ref.normal
    roll = rng.random()
    if roll < 0.55:
        low, high = ref.optimal
    elif roll > 0.85:
        width = (high - low) or 1.0
        low, high = (high, high + width * 0.3) if rng.random() < 0.7 else (max(0.0, low - width * 0.3), low)
    return round(rng.uniform(low, high), 1 if high - low < 20 else 0)


def demo_readings(person: DemoPerson, anchor_ms: int) -> list[NewReading]:
    rng = random.Random(person.seed)
    chosen = list(catalog.CATALOG.values())[: person.biomarkers]
    out = []
    tag = person.email.split("@")[0]
    for ref in chosen:
        if ref.kind == "lab":
            times = [anchor_ms - (draw * 90 + 7) * DAY_MS + 8 * 3_600_000 for draw in range(person.lab_draws)]
            source = "lab.quest"
        else:
            times = [anchor_ms - day * DAY_MS + hour * 3_600_000
                     for day in _sensor_days(person.sensor_days) for hour in _sensor_hours(rng, day)]
            source = "device.watch"
        for i, at in enumerate(times):
            out.append(NewReading.model_validate({
                "name": ref.name, "value": _value(rng, ref), "unit": ref.unit, "category": ref.category,
                "recordedAt": at, "source": source, "sourceReadingId": f"seed-{tag}-{_slug(ref.name)}-{i}",
            }))
    return out


def _sensor_days(back: int) -> list[int]:
    """Days ago with sensor readings: every day of the last week, then every third day of the
    month, then weekly: a year of history for the trend charts at a few hundred readings."""
    return [d for d in range(1, back + 1) if d <= 7 or (d <= 30 and d % 3 == 0) or d % 7 == 0]


def _sensor_hours(rng: random.Random, day: int) -> list[int]:
    """Hours of the day's readings: one most days, two or three now and then (a daily min/max)."""
    count = 1 if day <= 7 else rng.choice([1, 2, 2, 3])
    return sorted(rng.sample(range(6, 22), count))


def demo_rollups(user_id: str, batch: list[NewReading]) -> None:
    """The daily rollups of every day the demo readings fall on, as the nightly worker computes
    and writes them (the charts have history from the first start, not from the first night)."""
    zone = clock.clinic_zone()
    marked = sorted({days.local_day(r.recorded_at, zone).isoformat() for r in batch})
    items, _, _ = nightly.roll_up_user(user_id, marked)
    rollups_table.put_many(items)


def demo_appointments(person: DemoPerson, anchor_ms: int) -> list[dict[str, Any]]:
    rng = random.Random(person.seed * 7)
    types = list(APPOINTMENT_TITLES)
    out = []
    for i in range(person.appointments):
        kind = types[i % len(types)] if i % 3 else "lab"
        day_offset = -720 + i * (900 // max(person.appointments, 1))  # two years back, ~half a year ahead
        day = datetime.fromtimestamp(anchor_ms / 1000 + day_offset * 86_400, UTC).date()
        local_start = datetime(day.year, day.month, day.day, rng.choice([9, 10, 11, 14, 15, 16]), tzinfo=CLINIC_TZ)
        start = int(local_start.timestamp() * 1000)
        if start < anchor_ms:
            status = rng.choices(["completed", "cancelled", "no-show"], [0.85, 0.1, 0.05])[0]
        else:
            status = rng.choices(["scheduled", "requested"], [0.8, 0.2])[0]
        out.append({
            "appointmentId": keys.reading_id("appointment", f"{person.email}-{i}")[:24],
            "title": APPOINTMENT_TITLES[kind], "date": local_start.isoformat(timespec="minutes"), "type": kind,
            "status": status, "startTime": start, "durationMinutes": rng.choice([15, 30, 45, 60]), "version": 1,
        })
    return out


def demo_medications(person: DemoPerson, anchor_ms: int) -> list[dict[str, Any]]:
    count = 6 if person.appointments > 20 else (2 if person.role == "patient" else 0)
    out = []
    for i, (name, dose) in enumerate(MEDICATIONS[:count]):
        out.append({
            "medicationId": keys.reading_id("med", f"{person.email}-{i}")[:24], "name": name, "dose": dose,
            "refills": (i * 2) % 5, "active": i != 3, "startedAt": anchor_ms - (400 - i * 50) * DAY_MS, "version": 1,
        })
    for request in demo_refill_requests(person, anchor_ms, out):
        if request["status"] == "pending":  # the medication's mark of its one pending request
            next(m for m in out if m["medicationId"] == request["medicationId"])[
                medications_table.PENDING_REFILL] = request["requestId"]
    return out


def demo_refill_requests(person: DemoPerson, anchor_ms: int,
                         medications: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """For the patient with the most medications: a request the clinic denied with a note, and one
    waiting for staff (the staff queue is never empty in a fresh stack)."""
    if len(medications) < 6:
        return []
    denied, waiting = medications[2], medications[4]

    def request(medication: dict[str, Any], days_ago: int) -> dict[str, Any]:
        return {"requestId": keys.reading_id("refill", f"{person.email}-{medication['medicationId']}")[:24],
                "medicationId": medication["medicationId"], "medicationName": medication["name"],
                "requestedAt": anchor_ms - days_ago * DAY_MS, "version": 1}

    return [
        {**request(denied, 20), "status": "denied", "decidedAt": anchor_ms - 19 * DAY_MS,
         "note": "Please book a follow-up visit first."},
        {**request(waiting, 1), "status": "pending"},
    ]


def seed(
    create_account: Callable[[str, str, str], dict[str, Any]], now: datetime | None = None
) -> list[dict[str, Any]]:
    """Create the demo accounts (via ``create_account(email, name, role)``) and their data."""
    anchor = today_ms(now)
    accounts = []
    for person in DEMO_PEOPLE:
        account = create_account(person.email, person.name, person.role)
        user_id = account["userId"]
        users_table.put({"userId": user_id, "email": person.email, "name": person.name, "role": person.role,
                   "createdAt": anchor - 800 * DAY_MS})
        batch = demo_readings(person, anchor)
        for start in range(0, len(batch), 500):
            results = readings.record(user_id, batch[start : start + 500])
            if any(r.outcome not in (readings.Outcome.ACCEPTED, readings.Outcome.DUPLICATE) for r in results):
                raise RuntimeError("seed readings were not all stored")
        demo_rollups(user_id, batch)
        appointments_table.put_many(user_id, demo_appointments(person, anchor))
        medications = demo_medications(person, anchor)
        medications_table.put_many(user_id, medications)
        refill_requests_table.put_many(user_id, demo_refill_requests(person, anchor, medications))
        accounts.append({**account, "readings": len(batch), "appointments": person.appointments})
    return accounts
