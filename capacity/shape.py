"""Peak request rates from capacity/load_shape.yaml: what the hot-partition simulation drives, per
second of the busiest hour (the load kit takes the workload model's instead: capacity/load_mix.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

SHAPE_FILE = Path(__file__).with_name("load_shape.yaml")
HOUR_S = 3600.0


def load(path: Path = SHAPE_FILE) -> dict[str, Any]:
    with path.open() as fh:
        shape: dict[str, Any] = yaml.safe_load(fh)
    return shape


@dataclass(frozen=True)
class PeakRates:
    """Requests per second in the peak hour."""

    patient_calls: float  # dashboard API calls (GET /biomarkers/stats and friends)
    page_loads: float  # each also opens a live session
    sign_ins: float
    staff_reads: float  # audited reads of one patient's records
    staff_list_pages: float  # GET /admin/patients pages, one audit record per listed patient
    sensor_batches: float  # ingest calls, around the clock
    staff: int
    patients_per_list_page: int
    readings_per_batch: int

    @property
    def audit_writes(self) -> float:
        """Audit records written per second: sign-ins, staff reads, one per listed patient."""
        return self.sign_ins + self.staff_reads + self.staff_list_pages * self.patients_per_list_page

    @property
    def readings(self) -> float:
        return self.sensor_batches * self.readings_per_batch


def peak_rates(shape: dict[str, Any] | None = None, *, patients: int | None = None) -> PeakRates:
    shape = shape or load()
    patients = patients or int(shape["patients"])
    active = patients * shape["daily_active_share"]
    peak = shape["peak_hour_share"] / HOUR_S  # a daily count times this: per second in the peak hour
    staff = round(patients / 1000 * shape["staff_per_1000_patients"])
    page_loads = active * shape["page_loads_per_active_patient"] * peak
    return PeakRates(
        patient_calls=page_loads * shape["calls_per_page_load"],
        page_loads=page_loads,
        sign_ins=active * shape["sign_ins_per_active_patient"] * peak,
        staff_reads=staff * shape["staff_reads_per_day"] * peak,
        staff_list_pages=staff * shape["staff_list_pages_per_day"] * peak,
        sensor_batches=patients * shape["sensor_share"] * shape["sensor_batches_per_hour"] / HOUR_S,
        staff=staff,
        patients_per_list_page=int(shape["patients_per_list_page"]),
        readings_per_batch=int(shape["readings_per_batch"]),
    )
