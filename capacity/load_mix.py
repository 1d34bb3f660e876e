"""The load kit's mix (capacity/locustfile.py), from the workload model `make capacity` computes
(capacity/workload.yaml through capacity/model.py): each scenario's operations at the peak rate the
model gives them, per second, for the whole population of a workload.

- patients and staff: their API routes (the model's operations named "<METHOD> <path>");
- sensor pipelines: their uploads (a wearer's first upload of the day is the same request), sent
  as the ingest function receives them: the SQS batch its unit cost is measured with;
- live sessions: the sessions opened a second, each held ``session_minutes``.

The model adds each operation's own peak as if they coincided (the patients' morning, the staff's
busiest hour, the sensors' midnight), so this mix is that same upper bound. What is not an API call,
an upload or a session (sign-ins and refreshes, which are Cognito's; lab panels; stream records; the
night's rollups) is not the kit's to send.

``peak_rates`` is the one place both read the model's rates from: every operation, by who makes it.
The hot-partition simulation (tests/support/peak_hour.py) drives those same rates, the kit's and
the rest.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from capacity import model, settings

METHODS = ("GET ", "POST ", "PUT ", "PATCH ", "DELETE ")
LIVE_CONNECT = "live connect"
SENSOR_UPLOAD = "sensor upload"  # the model's upload operations start so


def is_route(operation: str) -> bool:
    return operation.startswith(METHODS)


@dataclass(frozen=True)
class PeakMix:
    workload: str
    patients: int
    patient: dict[str, float]  # route -> calls a second at its peak
    staff: dict[str, float]  # route -> calls a second at its peak
    sensor: dict[str, float]  # upload operation -> uploads a second at its peak
    live_connects: float  # sessions opened a second at peak
    session_s: float  # how long a session stays open
    readings_per_upload: int
    uploads_per_invocation: int  # the ingest function's batch: settings.MEASURED_INGEST_BATCH readings


def peak_rates(name: str | None = None) -> dict[tuple[str, str], float]:
    """(who, operation) -> a second at its peak, for every operation of workload ``name`` (default:
    the one the template is sized for): the model's demands, an operation made by one kind of
    caller under several demands (stream records) summed."""
    rates: dict[tuple[str, str], float] = defaultdict(float)
    for d in model.demands(model.workload(name or settings.sized_for())):
        rates[(d.who, d.operation)] += d.peak_per_s
    return dict(rates)


def peak_mix(name: str | None = None) -> PeakMix:
    """The peak mix of workload ``name`` (default: the one the template is sized for)."""
    name = name or settings.sized_for()
    w = model.workload(name)
    groups: dict[str, dict[str, float]] = defaultdict(dict)
    connects = 0.0
    for (who, operation), rate in peak_rates(name).items():
        if operation == LIVE_CONNECT:
            connects += rate
        elif (who in ("patient", "staff") and is_route(operation)) or operation.startswith(SENSOR_UPLOAD):
            groups[who][operation] = rate
    return PeakMix(name, int(w["patients"]), dict(groups["patient"]), dict(groups["staff"]), dict(groups["sensor"]),
                   connects, w["live"]["session_minutes"] * 60.0, int(w["sensor"]["readings_per_upload"]),
                   settings.MEASURED_INGEST_BATCH // int(w["sensor"]["readings_per_upload"]))
