"""Building test data through the production write paths."""

from __future__ import annotations

from typing import Any

from clinic import catalog
from clinic.models.biomarkers import NewReading
from clinic.repositories import appointments_table, keys, users_table
from tests.support import env

DAY_MS = 86_400_000
# "Now" for test data: the real time (to the minute) so "upcoming" and "past" mean what they say.
NOW_MS = env.fix_now()


def new_reading(name: str = "Glucose", value: float = 85.0, at: int = NOW_MS, *, unit: str = "mg/dL",
                source: str = "lab.test", rid: str | None = None, **extra: Any) -> NewReading:
    return NewReading.model_validate({
        "name": name, "value": value, "unit": unit, "recordedAt": at, "source": source,
        "sourceReadingId": rid or f"{name}-{at}-{value}".replace(" ", "_"), **extra,
    })


def appointment(i: int, *, type_: str = "checkup", status: str = "scheduled", start: int = NOW_MS) -> dict[str, Any]:
    return {
        "appointmentId": keys.reading_id("appointment", str(i))[:24], "title": f"Visit {i}", "date": "2026-11-25T09:00",
        "type": type_, "status": status, "startTime": start, "durationMinutes": 30, "version": 1,
    }


def store_appointments(user_id: str, items: list[dict[str, Any]]) -> None:
    appointments_table.put_many(user_id, items)


def ingest_reading(user_id: str, name: str = "Glucose", value: float = 85.0, at: int = NOW_MS, *,
                   unit: str = "mg/dL", source: str = "device.test", rid: str | None = None,
                   **extra: Any) -> dict[str, Any]:
    """A reading as a pipeline sends it to the ingest function (JSON-shaped, camelCase)."""
    return {"userId": user_id, "name": name, "value": value, "unit": unit, "recordedAt": at, "source": source,
            "sourceReadingId": rid or f"{user_id[:8]}-{name}-{at}".replace(" ", "_"), **extra}


def create_users(*user_ids: str) -> None:
    for user_id in user_ids:
        users_table.put({"userId": user_id, "email": f"{user_id}@example.test", "role": "patient", "createdAt": NOW_MS})


def sensor_and_lab_batch(user_ids: list[str], per_user: int, start: int) -> list[dict[str, Any]]:
    """What pipelines deliver for each user: a 30-biomarker lab panel sharing one recordedAt
    (``start``), then CGM glucose and heart rate alternating, 5 minutes apart, in order."""
    labs = [ref for ref in catalog.CATALOG.values() if ref.kind == "lab"][:30]
    out = []
    for u in user_ids:
        out += [ingest_reading(u, ref.name, sum(ref.optimal) / 2, start, unit=ref.unit, source="lab.quest",
                               rid=f"{u}-panel-{i}") for i, ref in enumerate(labs)]
        for i in range(per_user - len(labs)):
            at = start + (i // 2 + 1) * 300_000
            if i % 2:
                out.append(ingest_reading(u, "Heart Rate", 60 + i % 20, at, unit="bpm", rid=f"{u}-hr-{at}"))
            else:
                out.append(ingest_reading(u, "Continuous Glucose (CGM)", 90 + i % 30, at, rid=f"{u}-cgm-{at}"))
    return out
