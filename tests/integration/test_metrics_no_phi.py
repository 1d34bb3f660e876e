"""Metrics carry no PHI: handlers that emit metrics run with sentinel data (ingest accepted and
rejected, an unexpected error in an API function, the sign-in trigger, the export), and every
EMF blob they print has only allow-listed dimension names and no sentinel in any dimension,
metadata or metric name."""

import json
import re
from pathlib import Path

import pytest
from aws_lambda_powertools.metrics import Metrics

from clinic.entry.trigger import TriggerFailed
from clinic.services import audit, export
from tests.support.api import call
from tests.support.cognito import trigger_event
from tests.support.data import NOW_MS, create_users
from tests.support.events import ingest_invoke_event

ROOT = Path(__file__).resolve().parents[2]
# Powertools' own: the service name (a constant of the template) and, on cold start, the function.
ALLOWED_DIMENSIONS = {"service", "function_name"}
USER = "qzsentinel-user-5d1"
NEEDLES = ("qzsentinel", "qzunit", "987654", "qz-source")


def blobs(text):
    return [json.loads(line) for line in text.splitlines() if line.startswith('{"_aws"')]


def problems(blob):
    """What is wrong with one EMF blob: dimension names off the allow-list, or a sentinel anywhere
    outside the metric values (dimension values, metadata, metric names)."""
    directives = blob["_aws"]["CloudWatchMetrics"]
    dimensions = {name for d in directives for group in d["Dimensions"] for name in group}
    metric_names = {m["Name"] for d in directives for m in d["Metrics"]}
    found = [f"dimension {name}" for name in sorted(dimensions - ALLOWED_DIMENSIONS)]
    described = {k: v for k, v in blob.items() if k not in metric_names} | {"names": sorted(metric_names)}
    text = json.dumps(described).lower()
    found += [f"sentinel {needle}" for needle in NEEDLES if needle in text]
    return found


def test_the_check_catches_a_dimension_or_metadata_carrying_a_value(capsys):
    metrics = Metrics(namespace="Test", service="clinic")
    metrics.add_dimension(name="patientName", value="Qzsentinel Person")
    metrics.add_metadata(key="unit", value="qzunit")
    metrics.add_metric(name="Things", unit="Count", value=1)
    metrics.flush_metrics()
    (blob,) = blobs(capsys.readouterr().out)
    assert problems(blob) == ["dimension patientName", "sentinel qzsentinel", "sentinel qzunit"]


def test_no_source_adds_dimensions_or_metadata():
    # Every metric is a fixed name with Powertools' default dimensions; a new dimension or metadata
    # call is a decision to make here, with its allow-list entry.
    pattern = re.compile(r"\b(add_dimension|add_metadata|single_metric|set_default_dimensions)\b")
    offenders = [str(p.relative_to(ROOT)) for folder in ("shared", "functions", "local")
                 for p in (ROOT / folder).rglob("*.py") if pattern.search(p.read_text())]
    assert offenders == []


@pytest.fixture
def emitted(capfd):
    def collect():
        out = capfd.readouterr().out
        found = blobs(out)
        assert found, "no metrics captured"
        return found
    return collect


def sentinel_reading(**changes):
    return {"userId": USER, "name": "Glucose", "value": 98.7654, "unit": "mg/dL", "recordedAt": NOW_MS - 5_000,
            "source": "lab.qz-source", "sourceReadingId": "qzsentinel-r1", **changes}


def test_ingest_metrics_carry_no_phi(invoke, tables, emitted):
    create_users(USER)
    invoke("IngestReadingsFunction", ingest_invoke_event([
        sentinel_reading(), sentinel_reading(value=987654.3, unit="qzunit", sourceReadingId="qzsentinel-r2"),
        sentinel_reading(name="Qzsentinel marker", sourceReadingId="qzsentinel-r3")]))
    found = emitted()
    assert any(name.startswith("Readings") for b in found for name in b if name != "_aws")
    assert [p for b in found for p in problems(b)] == []


def test_an_unexpected_api_error_counts_without_phi(invoke, tables, emitted, monkeypatch):
    def broken(caller, **_):
        raise RuntimeError(f"failed for {caller.user_id} Qzsentinel Person qzunit")

    monkeypatch.setattr(export, "page", broken)
    reply = call(invoke, "ExportMeFunction", sub=USER)
    assert reply.status == 500
    found = emitted()
    assert any("UnhandledErrors" in b for b in found)
    assert [p for b in found for p in problems(b)] == []


def test_a_failed_sign_in_trigger_counts_without_phi(invoke, tables, emitted, monkeypatch):
    def broken(user_id, how):
        raise RuntimeError(f"could not record {user_id} qzsentinel@example.com")

    monkeypatch.setattr(audit, "record_sign_in", broken)
    event = trigger_event("pre_token_generation")
    event["request"]["userAttributes"].update({"sub": USER, "email": "qzsentinel@example.com",
                                               "name": "Qzsentinel Person"})
    with pytest.raises(TriggerFailed):
        invoke("PreTokenGenerationFunction", event)
    found = emitted()
    assert any("UnhandledErrors" in b for b in found)
    assert [p for b in found for p in problems(b)] == []
