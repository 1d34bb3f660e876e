"""A realistic stream of readings for the local stack: per patient, a continuous glucose monitor
every 5 minutes, a watch's heart rate every minute, and the results of a lab draw (about 30
biomarkers sharing one recordedAt) arriving once during the run; plus what real pipelines do:
the odd resent reading (a retry) and heart-rate readings synced a little late, out of order.

Simulated time runs faster than the wall clock so that ``rate`` readings per second come out of
``users`` patients; it ends at the moment the simulation starts, so no reading is in the future.
Deterministic for a given seed.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from clinic import catalog

CGM_EVERY_MS = 5 * 60_000
HEART_RATE_EVERY_MS = 60_000
PANEL_SIZE = 30
RESEND_SHARE = 0.01
LATE_SHARE = 0.05
# Readings per simulated second and patient from the sensors (labs are a small extra).
SENSOR_RATE = 1000 / CGM_EVERY_MS + 1000 / HEART_RATE_EVERY_MS

LAB_PANEL = [ref for ref in catalog.CATALOG.values() if ref.kind == "lab"][:PANEL_SIZE]
CGM = catalog.CATALOG["Continuous Glucose (CGM)"]
HEART_RATE = catalog.CATALOG["Heart Rate"]


@dataclass
class _Patient:
    user_id: str
    rng: random.Random
    glucose: float = 95.0
    heart: float = 68.0
    next_cgm: int = 0
    next_heart: int = 0
    panel_at: int = 0
    panel_sent: bool = False
    delayed: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (deliver at tick, reading)


class Simulator:
    def __init__(self, user_ids: list[str], rate: float, seconds: int, end_ms: int, seed: int = 0) -> None:
        if not user_ids or rate <= 0 or seconds <= 0:
            raise ValueError("users, rate and seconds must be positive")
        self.seconds = seconds
        # The sensors make up what the lab panels (one per patient) leave of rate * seconds.
        sensor_readings = max(rate * seconds - PANEL_SIZE * len(user_ids), rate * seconds / 10)
        sim_span_ms = int(sensor_readings / (len(user_ids) * SENSOR_RATE) * 1000)
        self.step_ms = max(1, sim_span_ms // seconds)  # simulated ms per wall-clock second
        self.start_ms = end_ms - self.step_ms * seconds
        rng = random.Random(seed)
        self.patients = []
        for user_id in user_ids:
            p = _Patient(user_id, random.Random(rng.random()))
            p.next_cgm = self.start_ms + p.rng.randrange(CGM_EVERY_MS)
            p.next_heart = self.start_ms + p.rng.randrange(HEART_RATE_EVERY_MS)
            p.panel_at = self.start_ms + p.rng.randrange(max(1, self.step_ms * seconds))
            self.patients.append(p)
        self._last_tick: list[dict[str, Any]] = []

    def ticks(self) -> Iterator[list[dict[str, Any]]]:
        """The readings pipelines deliver during each wall-clock second, in delivery order."""
        for tick in range(self.seconds):
            until = self.start_ms + (tick + 1) * self.step_ms
            batch: list[dict[str, Any]] = []
            for p in self.patients:
                batch += self._patient_until(p, until, tick)
            rng = self.patients[0].rng
            resent = [r for r in self._last_tick if rng.random() < RESEND_SHARE]
            self._last_tick = batch
            yield batch + resent

    def _patient_until(self, p: _Patient, until: int, tick: int) -> list[dict[str, Any]]:
        last = tick == self.seconds - 1  # whatever is still held back goes out with the last tick
        out = [reading for due, reading in p.delayed if due <= tick or last]
        p.delayed = [(due, reading) for due, reading in p.delayed if due > tick and not last]
        while p.next_cgm <= until:
            out.append(self._cgm(p, p.next_cgm))
            p.next_cgm += CGM_EVERY_MS
        while p.next_heart <= until:
            reading = self._heart(p, p.next_heart)
            if p.rng.random() < LATE_SHARE and tick < self.seconds - 1:
                p.delayed.append((tick + p.rng.randint(1, 3), reading))  # the watch syncs later
            else:
                out.append(reading)
            p.next_heart += HEART_RATE_EVERY_MS
        if not p.panel_sent and p.panel_at <= until:
            out += self._panel(p, p.panel_at)
            p.panel_sent = True
        return out

    def _cgm(self, p: _Patient, at: int) -> dict[str, Any]:
        # a slow random walk back towards 95 mg/dL, with a meal every ~5 hours
        meal = 45 * math.exp(-(((at / 3_600_000) % 5) - 1) ** 2)
        p.glucose += p.rng.gauss(0, 2.5) + (95 - p.glucose) * 0.1
        value = round(min(300.0, max(45.0, p.glucose + meal)))
        return _reading(p.user_id, CGM.name, float(value), CGM.unit, at, "device.dexcom-g7",
                        f"cgm-{p.user_id[:8]}-{at}")

    def _heart(self, p: _Patient, at: int) -> dict[str, Any]:
        p.heart += p.rng.gauss(0, 1.5) + (68 - p.heart) * 0.15
        active = 35 if p.rng.random() < 0.05 else 0
        value = round(min(190.0, max(42.0, p.heart + active)))
        return _reading(p.user_id, HEART_RATE.name, float(value), HEART_RATE.unit, at, "device.apple-watch",
                        f"hr-{p.user_id[:8]}-{at}")

    def _panel(self, p: _Patient, at: int) -> list[dict[str, Any]]:
        accession = f"{p.rng.randrange(10**8):08d}"
        out = []
        for ref in LAB_PANEL:
            low, high = ref.optimal if p.rng.random() < 0.6 else ref.normal
            if p.rng.random() < 0.1:
                high = high + (high - low or 1.0) * 0.3  # now and then out of range
            value = round(p.rng.uniform(low, high), 1 if high - low < 20 else 0)
            slug = "".join(c if c.isalnum() else "-" for c in ref.name.lower())
            reading = _reading(p.user_id, ref.name, value, ref.unit, at, "lab.quest", f"QST-{accession}-{slug}")
            reading["category"] = ref.category
            out.append(reading)
        return out


def _reading(user_id: str, name: str, value: float, unit: str, at: int, source: str, rid: str) -> dict[str, Any]:
    return {"userId": user_id, "name": name, "value": value, "unit": unit, "recordedAt": at, "source": source,
            "sourceReadingId": rid}
