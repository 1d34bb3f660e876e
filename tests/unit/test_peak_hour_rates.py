"""The hot-partition simulation (tests/support/peak_hour.py) drives the workload model's peak and
no other figures: every operation of the model at the rate `make capacity` computes, or named with
its reason; every index of the template reached by a driven operation, or named with its reason;
the model's shard counts those the code writes with. Without a load run."""

from __future__ import annotations

from collections import defaultdict

import pytest

from capacity import model
from clinic.repositories import appointments_table, audit_table, refill_requests_table
from tests.support import peak_hour

WORKLOADS = ("1M", "10M")


def modelled(name: str) -> dict[tuple[str, str], float]:
    """(who, operation) -> a second at its peak, straight from the model's demands."""
    out: dict[tuple[str, str], float] = defaultdict(float)
    for d in model.demands(model.workload(name)):
        out[(d.who, d.operation)] += d.peak_per_s
    return dict(out)


@pytest.mark.parametrize("name", WORKLOADS)
def test_each_operation_of_the_model_is_driven_at_its_peak_rate_or_excused_with_a_reason(name):
    # Given the model's peak rates and the simulation's
    peaks, driven = modelled(name), peak_hour.rates(name)
    # Then the simulation drives exactly the model's rates, for every operation it does not excuse
    assert driven == pytest.approx({key: rate for key, rate in peaks.items() if key[1] not in peak_hour.EXCUSED})
    assert {op for _, op in peaks} == {op for _, op in driven} | set(peak_hour.EXCUSED)
    assert all(reason.strip() for reason in peak_hour.EXCUSED.values())
    # And it knows how to make each of them, and nothing the model does not have
    assert set(peak_hour.DRIVERS) == {op for _, op in driven}


def test_the_ten_million_peak_is_the_million_one_ten_times_over():
    one, ten = peak_hour.rates("1M"), peak_hour.rates("10M")
    assert ten == pytest.approx({key: 10 * rate for key, rate in one.items()})


def test_every_index_of_the_template_is_reached_by_a_driven_operation_or_excused_with_a_reason():
    # Given the template's global and local indexes and those the driven operations' unit costs reach
    indexes = peak_hour.template_indexes()
    costs = model.load_unit_costs()
    reached = {(u["table"], u["index"]) for _, op in peak_hour.rates("1M") for u in costs[op]["dynamodb_units"]
               if u["index"]}
    excused = set(peak_hour.NOT_LOAD_BEARING)
    # Then each index is one or the other, never both, and every excuse names an index there is
    assert indexes - reached - excused == set()
    assert excused <= indexes and not excused & reached
    assert all(reason.strip() for reason in peak_hour.NOT_LOAD_BEARING.values())


@pytest.mark.parametrize("name", WORKLOADS)
def test_no_shared_partition_is_reached_by_both_the_pipelines_and_the_people(name):
    # (each shared partition is simulated at the scale of the one kind of caller that reaches it)
    rates = peak_hour.rates(name)
    pipelines = peak_hour.shared_reach(op for who, op in rates if who in peak_hour.PIPELINES)
    people = peak_hour.shared_reach(op for who, op in rates if who not in peak_hour.PIPELINES)
    assert pipelines == {("RollupMarkersTable", "")} == peak_hour.pipeline_tables(name)
    assert not pipelines & people
    assert {("AuditTable", "ByDayShard"), ("UsersTable", "ByRole"), ("RefillRequestsTable", "ByQueueShard"),
            ("AppointmentsTable", "ByReminderShard")} <= people


def test_the_models_shard_counts_are_those_the_code_writes_with():
    assert model.workload("1M")["shared_partition_spread"] == {
        "AuditTable.ByDayShard": audit_table.SHARDS,
        "RefillRequestsTable.ByQueueShard": refill_requests_table.SHARDS,
        "AppointmentsTable.ByReminderShard": appointments_table.REMINDER_SHARDS,
    }


@pytest.mark.parametrize("name", WORKLOADS)
def test_a_window_holds_a_few_hundred_calls_of_each_kind_of_caller(name):
    # (SCALE keeps a window affordable at either size: see the module docstring)
    per_window: dict[str, float] = defaultdict(float)
    for who, op in peak_hour.rates(name):
        kind = "pipelines" if who in peak_hour.PIPELINES else "people"
        per_window[kind] += peak_hour.calls_per_s(name, who, op) * peak_hour.SECONDS
    assert 150 < per_window["people"] < 400 and 250 < per_window["pipelines"] < 500
