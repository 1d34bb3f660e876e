"""The load kit (capacity/locustfile.py) sends the workload model's peak mix: its scenarios' weights
and each scenario's per-route proportions are the rates `make capacity` computes from
capacity/workload.yaml, and what it leaves out is writes only. No load is run: the kit is imported
in a child process (Locust patches the standard library when imported) and its classes read."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import defaultdict

import pytest

from capacity import model, settings
from clinic_tools import template

READ_KIT = """
import json
from capacity import locustfile as kit
print(json.dumps({c.__name__: {"weight": c.weight, "mix": getattr(c, "mix", None)}
                  for c in (kit.Patient, kit.Staff, kit.SensorPipeline, kit.LiveSession)}))
"""


def kit(**variables: str) -> dict[str, dict]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CLINIC_LOAD_")}
    done = subprocess.run([sys.executable, "-c", READ_KIT], cwd=template.ROOT, capture_output=True, text=True,
                          env={**environment, "PYTHONPATH": str(template.ROOT), **variables}, check=True, timeout=120)
    classes: dict[str, dict] = json.loads(done.stdout.splitlines()[-1])
    return classes


def modelled(name: str) -> dict[str, dict[str, float]]:
    """Peak rate a second of every operation the model gives each kind of caller, from its demands."""
    out: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for d in model.demands(model.workload(name)):
        out[d.who][d.operation] += d.peak_per_s
    return out


@pytest.fixture(scope="module")
def sized_for_kit() -> dict[str, dict]:
    return kit()


@pytest.mark.parametrize(("scenario", "who"), [("Patient", "patient"), ("Staff", "staff")])
def test_each_route_the_kit_sends_has_the_models_peak_rate_and_only_writes_are_left_out(sized_for_kit, scenario,
                                                                                         who):
    routes = {op: rate for op, rate in modelled(settings.sized_for())[who].items()
              if op.split(" ")[0] in ("GET", "POST", "PUT", "PATCH", "DELETE")}
    mix = sized_for_kit[scenario]["mix"]
    assert mix == pytest.approx({op: routes[op] for op in mix})
    assert {op for op in routes if op not in mix} == {op for op in routes if not op.startswith("GET ")}


def test_each_scenario_has_as_many_users_as_send_its_modelled_peak_at_one_action_a_second(sized_for_kit):
    w = model.workload(settings.sized_for())
    peaks = modelled(settings.sized_for())
    reads = {who: sum(rate for op, rate in peaks[who].items() if op.startswith("GET ")) for who in ("patient", "staff")}
    uploads = sum(rate for op, rate in peaks["sensor"].items() if op.startswith("sensor upload"))
    sessions = peaks["patient"]["live connect"] * w["live"]["session_minutes"] * 60
    assert sized_for_kit["Patient"]["weight"] == round(reads["patient"])
    assert sized_for_kit["Staff"]["weight"] == round(reads["staff"])
    # a pipeline user sends the measured SQS batch a second: 99 readings, 33 uploads of 3
    assert sized_for_kit["SensorPipeline"]["weight"] == round(uploads / (settings.MEASURED_INGEST_BATCH // 3))
    assert sized_for_kit["LiveSession"]["weight"] == round(sessions)


def test_the_kit_follows_the_workload_it_is_told_and_the_session_length_it_is_given():
    # Given the 10M workload and live sessions held 2 s
    ten = kit(CLINIC_LOAD_WORKLOAD="10M", CLINIC_LOAD_SESSION_S="2")
    peaks = modelled("10M")
    # Then the routes carry 10M's rates, and a session's users follow its length
    assert ten["Patient"]["mix"]["GET /biomarkers/stats"] == pytest.approx(peaks["patient"]["GET /biomarkers/stats"])
    assert ten["LiveSession"]["weight"] == round(peaks["patient"]["live connect"] * 2)
