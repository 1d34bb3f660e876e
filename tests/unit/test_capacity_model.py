"""The capacity model's arithmetic: demand to rates, rates to concurrency, units and partition
heat, quotas flagged with headroom, tiered prices, and the settings derived from it."""

from __future__ import annotations

import copy
import re

import pytest

from capacity import model

STATS = {
    "function": "GetBiomarkerStatsFunction", "route": "GET /biomarkers/stats", "invocations": 1.0,
    "calls": {"dynamodb:GetItem": 1.0}, "dynamodb_items": {"read": 1.0}, "stored_bytes": {},
    "dynamodb_units": [{"table": "BiomarkerSummaryTable", "index": None, "kind": "read", "partition": "user",
                        "units": 0.5}],
}
AUDITED = {
    "function": "GetPatientFunction", "route": "GET /admin/patients/{userId}", "invocations": 1.0,
    "calls": {"dynamodb:GetItem": 1.0, "dynamodb:PutItem": 1.0}, "dynamodb_items": {"read": 1.0, "write": 3.0},
    "stored_bytes": {"AuditTable": 1000.0},
    "dynamodb_units": [
        {"table": "AuditTable", "index": None, "kind": "write", "partition": "user", "units": 1.0},
        {"table": "AuditTable", "index": "ByDay", "kind": "write", "partition": "shared:9999-99-99", "units": 1.0},
    ],
}


def _costs() -> dict:
    """Every operation of the real workload at a trivial cost, two of them as above."""
    costs = {name: {**copy.deepcopy(STATS), "route": None, "function": "Other"} for name in model.load_unit_costs()}
    for cost in costs.values():
        cost.pop("route")
    costs["GET /biomarkers/stats"] = copy.deepcopy(STATS)
    costs["GET /admin/patients/{userId}"] = copy.deepcopy(AUDITED)
    return costs


def test_a_demand_spreads_its_peak_share_over_its_window():
    demand = model.Demand("x", per_day=86_400, peak_share=0.12)
    assert demand.average_per_s == 1.0
    assert demand.peak_per_s == pytest.approx(86_400 * 0.12 / 3600)
    assert model.Demand("x", 900, 1.0, peak_window_s=900).peak_per_s == 1.0


def test_the_ten_million_workload_is_the_million_one_with_ten_times_the_patients():
    one, ten = model.workload("1M"), model.workload("10M")
    assert ten["patients"] == 10 * one["patients"]
    assert {k: v for k, v in ten.items() if k != "patients"} == {k: v for k, v in one.items() if k != "patients"}


def test_every_operation_of_the_workload_has_a_measured_unit_cost():
    costs = model.load_unit_costs()
    for name in ("1M", "10M"):
        assert {d.operation for d in model.demands(model.workload(name))} - costs.keys() == set()


def test_concurrency_is_peak_rate_times_handler_and_call_time():
    w = model.workload("1M")
    m = model.build("1M", w, _costs())
    stats_peak = w["patients"] * w["patient"]["daily_active_share"] * w["patient"]["page_loads_per_active_day"] \
        * w["patient"]["peak_hour_share"] / 3600
    f = m.functions["GetBiomarkerStatsFunction"]
    assert f.peak_requests_per_s == pytest.approx(stats_peak)
    seconds = (w["lambda"]["handler_ms"] + 1 * w["lambda"]["aws_call_ms"]) / 1000
    assert f.concurrency == pytest.approx(stats_peak * seconds)
    assert m.capacity_peak[("BiomarkerSummaryTable", "")]["read"] >= stats_peak * 0.5


def test_a_shared_key_takes_all_its_traffic_in_the_busiest_second_and_a_personal_key_one_persons():
    w = model.workload("1M")
    m = model.build("1M", w, _costs())
    staff_peak = m.staff * w["staff"]["actions_per_day"] * w["staff"]["action_mix"]["GET /admin/patients/{userId}"] \
        * w["staff"]["peak_hour_share"] / 3600
    busiest_second = staff_peak * w["peak_second_factor"]
    assert m.partitions[("AuditTable", "ByDay", "write", "shared:9999-99-99")] == pytest.approx(busiest_second)
    assert m.partitions[("AuditTable", "", "write", "user")] == 1.0 * w["person_requests_per_s"]


def test_a_sharded_key_divides_its_heat_by_the_shards():
    w = model.workload("1M")
    w["shared_partition_spread"] = {"AuditTable": 4}
    m = model.build("1M", w, _costs())
    unsharded = model.build("1M", model.workload("1M"), _costs())
    key = ("AuditTable", "ByDay", "write", "shared:9999-99-99")
    assert m.partitions[key] == pytest.approx(unsharded.partitions[key] / 4)


def test_a_quota_must_be_raised_when_peak_times_headroom_passes_the_limit():
    assert model.Quota("s", "q", limit=100, demand=60).must_raise(2.0)
    assert not model.Quota("s", "q", limit=100, demand=40).must_raise(2.0)


def test_the_ten_million_workload_needs_more_sign_in_rate_than_cognito_allows_by_default():
    quotas = {q.name: q for q in model.quotas(model.build("10M"))}
    auth = next(q for name, q in quotas.items() if name.startswith("UserAuthentication"))
    assert auth.must_raise(model.workload("10M")["headroom"])
    one_million = {q.name: q for q in model.quotas(model.build("1M"))}
    assert not any(q.must_raise(model.workload("1M")["headroom"]) for q in one_million.values())


def test_tiered_prices_charge_each_tier_its_own_rate():
    tiers = [[10, 1.0], [100, 0.5], [None, 0.1]]
    assert model._tiered(5, tiers, 1) == 5
    assert model._tiered(50, tiers, 1) == 10 + 40 * 0.5
    assert model._tiered(200, tiers, 1) == 10 + 45 + 100 * 0.1


def test_monthly_cost_names_every_service_and_cognito_is_billed_above_the_free_users():
    m = model.build("1M")
    prices = model.load_yaml("prices.yaml")
    cost = model.monthly_cost(m, prices)
    assert all(v > 0 for v in cost.values())
    free = prices["cognito"]["essentials_free_mau"]
    assert cost["Cognito (Essentials MAU)"] == pytest.approx((model.mau_count(m) - free)
                                                             * prices["cognito"]["essentials_per_mau"])


def test_settings_round_up_to_one_two_or_five_times_a_power_of_ten():
    assert [model.nice(v) for v in (0.3, 1, 1.1, 2, 3, 7, 10, 11, 140, 260)] == [1, 1, 2, 2, 5, 10, 10, 20, 200, 500]


def test_a_methods_throttle_is_its_peak_with_headroom_never_below_the_floor():
    w = model.workload("1M")
    m = model.build("1M", w, _costs())
    peak = m.route_peaks[("/biomarkers/stats", "GET")]
    throttles = model.method_throttles(m, [("/*", "*"), ("/admin/patients/{userId}", "GET"), ("/me", "DELETE")])
    assert throttles[("/*", "*")] == (model.nice(peak * w["peak_second_factor"] * w["headroom"]),
                                      2 * model.nice(peak * w["peak_second_factor"] * w["headroom"]))
    assert throttles[("/me", "DELETE")] == (w["min_method_rate"], 2 * w["min_method_rate"])


def test_every_figure_of_the_workload_states_its_source_or_reasoning():
    """A number in capacity/workload.yaml carries a comment on its line, or sits in a run of bare
    figures (and block headers) right under a comment line."""
    lines = (model.HERE / "workload.yaml").read_text().splitlines()
    figure = re.compile(r"^\s*[^#:]+:\s*[\d_.]+\s*$")  # a number with no comment of its own
    header = re.compile(r"^\s*[^#:]+:\s*$")

    def documented(i: int) -> bool:
        for line in reversed(lines[:i]):
            if line.strip().startswith("#"):
                return True
            if not (figure.match(line) or header.match(line)):
                return False
        return False

    undocumented = [line.strip() for i, line in enumerate(lines) if figure.match(line) and not documented(i)]
    assert undocumented == []


MARKERS_FIRST_UPLOAD = {
    "function": "IngestReadingsFunction", "invocations": 0.03, "calls": {"dynamodb:TransactWriteItems": 1.0},
    "dynamodb_items": {"write": 1.0}, "stored_bytes": {},
    "dynamodb_units": [{"table": "RollupMarkersTable", "index": None, "kind": "write",
                        "partition": "shared:9999-99-99#99", "units": 2.0}],
}


def test_the_marker_shards_spread_the_midnight_writes_with_headroom_and_never_below_the_floor():
    # Given every wearer's first upload of the day writing a 2-unit marker within 15 minutes of midnight
    costs = {**_costs(), "sensor upload, the user's first today": copy.deepcopy(MARKERS_FIRST_UPLOAD)}
    for name in ("1M", "10M"):
        w = model.workload(name)
        busiest_second = model.sensor_wearers(w) / 900 * w["peak_second_factor"] * 2.0

        # When the model is built without a floor, and with the workload's
        w["rollup_markers"]["min_shards"] = 1
        bare = model.build(name, w, costs)
        floored = model.build(name, model.workload(name), costs)

        # Then the count is the busiest second x headroom over a partition's 1,000 WCU, rounded up,
        # each shard takes its share, and the workload's floor holds
        assert bare.marker_shards == model.nice(busiest_second * w["headroom"] / 1000)
        key = ("RollupMarkersTable", "", "write", "shared:9999-99-99#99")
        assert bare.partitions[key] == pytest.approx(busiest_second / bare.marker_shards)
        assert floored.marker_shards == max(16, bare.marker_shards)
        assert floored.partitions[key] * w["headroom"] <= model.PARTITION_WRITE_LIMIT


def test_at_ten_million_patients_no_partition_runs_hot_with_headroom():
    m = model.build("10M")
    assert m.marker_shards > 16  # the count 1M is sized for does not carry 10M's midnight
    hot = [(key, share) for key, _, share in model.hottest_partitions(m, top=len(m.partitions))
           if share * m.workload["headroom"] > 1]
    assert hot == []
