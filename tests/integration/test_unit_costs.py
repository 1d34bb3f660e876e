"""capacity/unit_costs.json is what the code costs today: measuring again gives the same AWS calls,
DynamoDB units per table, index and partition, items and stored bytes for every operation. A
change to a route's cost fails here until `make unit-costs` rewrites the file (and the capacity
model, which reads it, moves with it). Timings and response sizes are recorded, not compared."""

from __future__ import annotations

import json

import pytest

from capacity import measure

COMPARED = ("function", "route", "invocations", "calls", "dynamodb_units", "dynamodb_items", "stored_bytes")


def _costs(operations: dict[str, dict]) -> dict[str, dict]:
    return {name: {k: op.get(k) for k in COMPARED} for name, op in operations.items()}


@pytest.mark.serial
def test_measured_unit_costs_match_the_checked_in_file():
    # Given the checked-in unit costs
    recorded = json.loads(measure.UNIT_COSTS.read_text())["operations"]

    # When every operation is measured again (one timed call each: timings are not compared)
    measured = measure.measure(timed_calls=1)["operations"]

    # Then nothing moved; otherwise the message names the operations to re-measure
    changed = sorted(name for name in recorded.keys() | measured.keys()
                     if _costs(recorded).get(name) != _costs(measured).get(name))
    assert changed == [], f"unit costs changed for {changed}: run `make unit-costs` and commit capacity/unit_costs.json"


def test_every_api_route_has_a_measured_unit_cost():
    from clinic_tools import template

    recorded = json.loads(measure.UNIT_COSTS.read_text())["operations"]
    measured_routes = {op.get("route") for op in recorded.values()}
    # Sign-in links and account deletion are not in the workload (rare, and they call Cognito and
    # SES, which the measurement does not stand up); the audit export is a staff rarity.
    unmodelled = {"POST /auth/email-link", "DELETE /me", "GET /admin/audit-events/export"}
    routes = {f"{r.method} {r.path}" for r in template.routes()}
    assert routes - unmodelled - measured_routes == set()
