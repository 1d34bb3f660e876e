"""The nightly job end to end, through the functions' handlers: the planner (as the schedule or a
backfill invokes it), the work queue (moto SQS, from the template), the worker (fed as Lambda's
event source feeds it). Readings go in through the production write path."""

import json
import math
import statistics
import uuid
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinic import aws
from clinic.repositories import biomarker_summary_table, biomarkers_table, keys, rollup_markers_table
from clinic.services import readings
from clinic_local import rollup
from clinic_tools import template
from tests.support import env
from tests.support.data import new_reading
from tests.support.moto_speed import bulk_put, partition_local_queries
from tests.support.nightly import NY, arriving, local_ms, markers_of, rollups_of

USER = "0b6f2a9e-1111-4222-8333-444455556666"
OTHER = "5c1d2e3f-aaaa-4bbb-8ccc-ddddeeeeffff"


@pytest.fixture
def night(queues, invoke):
    """Run a night as AWS would: planner, then worker batches from the queue until it is empty."""
    sqs = aws.client("sqs")

    def run(event):
        return rollup.run(event, sqs, queues["RollupWorkQueue"], invoke)

    return run


def glucose(value, at, rid=None):
    return new_reading("Glucose", value, at, rid=rid)


# --- day boundaries ---------------------------------------------------------------------------


def test_the_spring_forward_day_rolls_up_its_23_hours(monkeypatch, night):
    # Given readings at the edges of 2026-03-08 in New York (clocks jump 02:00 EST -> 03:00 EDT)
    arriving(monkeypatch, "2026-03-09")
    readings.record(USER, [
        glucose(80, local_ms("2026-03-07", 23, 59)),  # Saturday
        glucose(81, local_ms("2026-03-08", 0, 0)),  # first minute of the short day
        glucose(82, local_ms("2026-03-08", 1, 59)),  # last minute before the jump
        glucose(83, local_ms("2026-03-08", 3, 0)),  # first minute after it
        glucose(84, local_ms("2026-03-08", 23, 59)),  # last minute of the day (22 h 59 min after midnight)
        glucose(85, local_ms("2026-03-09", 0, 0)),  # Monday
    ])
    # When the night of Mar 9 runs
    report = night({"day": "2026-03-09"})
    # Then Mar 8 holds exactly its four readings, and its neighbours theirs
    rolled = rollups_of(USER)
    day = rolled[("Glucose", "2026-03-08")]
    assert (day["count"], day["min"], day["max"], day["last"]) == (4, 81, 84, 84)
    assert rolled[("Glucose", "2026-03-07")]["count"] == rolled[("Glucose", "2026-03-09")]["count"] == 1
    assert report.planned == {"nights": ["2026-03-09"], "users": 1, "messages": 1}


def test_the_fall_back_day_rolls_up_its_25_hours(monkeypatch, night):
    arriving(monkeypatch, "2026-11-02")
    readings.record(USER, [
        glucose(90, local_ms("2026-11-01", 0, 0)),
        glucose(91, local_ms("2026-11-01", 1, 30, fold=0)),  # 01:30 EDT
        glucose(92, local_ms("2026-11-01", 1, 30, fold=1)),  # 01:30 EST, an hour later
        glucose(93, local_ms("2026-11-01", 23, 30)),  # 24.5 h after midnight: still Nov 1
        glucose(94, local_ms("2026-11-02", 0, 0)),
    ])
    night({"day": "2026-11-02"})
    day = rollups_of(USER)[("Glucose", "2026-11-01")]
    assert (day["count"], day["min"], day["max"], day["avg"], day["last"]) == (4, 90, 93, 91.5, 93)
    assert day["lastAt"] == local_ms("2026-11-01", 23, 30)


# --- reruns, late data, empty nights ------------------------------------------------------------


def test_rerunning_a_night_writes_identical_rollups(monkeypatch, night):
    arriving(monkeypatch, "2026-03-10")
    readings.record(USER, [glucose(80 + i, local_ms("2026-03-10", 6 + i)) for i in range(5)])
    night({"day": "2026-03-10"})
    first = rollups_of(USER)
    again = night({"day": "2026-03-10"})
    assert rollups_of(USER) == first
    assert again.planned["users"] == 1 and not again.failed_batches


def test_a_late_reading_marks_its_day_again_and_the_next_night_repairs_the_rollup(monkeypatch, night):
    # Given Mar 10 rolled up on its night
    arriving(monkeypatch, "2026-03-10")
    readings.record(USER, [glucose(80, local_ms("2026-03-10", 8)), glucose(90, local_ms("2026-03-10", 9))])
    night({"day": "2026-03-10"})
    assert rollups_of(USER)[("Glucose", "2026-03-10")]["count"] == 2
    # When a reading for Mar 10 arrives five days late (it is older than the latest: no summary change)
    arriving(monkeypatch, "2026-03-15")
    readings.record(USER, [glucose(120, local_ms("2026-03-10", 7)), glucose(85, local_ms("2026-03-15", 8))])
    # Then the night of Mar 15 rolls up Mar 10 again, with it
    night({"day": "2026-03-15"})
    rolled = rollups_of(USER)
    assert (rolled[("Glucose", "2026-03-10")]["count"], rolled[("Glucose", "2026-03-10")]["max"]) == (3, 120)
    assert rolled[("Glucose", "2026-03-10")]["last"] == 90  # still the latest of that day
    assert rolled[("Glucose", "2026-03-15")]["count"] == 1


def test_an_empty_night_reads_only_its_marker_shards_and_queues_nothing(monkeypatch, night, ddb_calls):
    # Given activity on other nights only
    arriving(monkeypatch, "2026-03-09")
    readings.record(USER, [glucose(80, local_ms("2026-03-09", 8))])
    ddb_calls.reset()
    # When the night of Mar 10 runs
    report = night({"day": "2026-03-10"})
    # Then it read the checkpoint (the shard count to read) and the 16 marker partitions of that
    # night, and nothing else
    assert report.planned == {"nights": ["2026-03-10"], "users": 0, "messages": 0}
    assert report.invocations == 0
    assert dict(ddb_calls.operations) == {"GetItem": 1, "Query": 16}
    assert rollups_of(USER) == {}


# --- the schedule -------------------------------------------------------------------------------


def schedule_event(iso: str) -> dict:
    """The event the template's schedule delivers, with the scheduler's context attribute filled."""
    schedule = template.resources("AWS::Scheduler::Schedule")["NightlyRollupSchedule"]
    raw = schedule["Properties"]["Target"]["Input"].replace("<aws.scheduler.scheduled-time>", iso)
    return json.loads(raw)


def test_the_scheduled_run_plans_yesterday_and_moves_the_checkpoint(monkeypatch, night):
    arriving(monkeypatch, "2026-11-24")
    readings.record(USER, [glucose(80, local_ms("2026-11-24", 8))])
    first = night(schedule_event("2026-11-25T07:00:00Z"))  # 02:00 EST, Nov 25
    assert first.planned["nights"] == ["2026-11-24"]
    assert rollups_of(USER)[("Glucose", "2026-11-24")]["count"] == 1
    # A retry of the same scheduled run (Scheduler or Lambda retries) finds the night done
    assert night(schedule_event("2026-11-25T07:00:00Z")).planned == {"nights": [], "users": 0, "messages": 0}


def test_the_night_the_spring_forward_gap_skipped_is_rolled_up_by_the_next_run(monkeypatch, night):
    # Given the run of Mar 7 02:00 happened (it planned Mar 6)
    night(schedule_event("2026-03-07T07:00:00Z"))
    arriving(monkeypatch, "2026-03-07")
    readings.record(USER, [glucose(80, local_ms("2026-03-07", 8))])
    arriving(monkeypatch, "2026-03-08")
    readings.record(USER, [glucose(81, local_ms("2026-03-08", 8))])
    # When 02:00 of Mar 8 does not exist (no invocation), and Mar 9 02:00 EDT (06:00Z) runs
    report = night(schedule_event("2026-03-09T06:00:00Z"))
    # Then both nights are planned and both days rolled up
    assert report.planned["nights"] == ["2026-03-07", "2026-03-08"]
    assert {day for _, day in rollups_of(USER)} == {"2026-03-07", "2026-03-08"}


# --- reconciliation -----------------------------------------------------------------------------


def emf_metrics(out: str) -> list[dict]:
    """The CloudWatch embedded-metric documents a handler printed."""
    docs = []
    for line in out.splitlines():
        if line.startswith("{") and '"_aws"' in line:
            docs.append(json.loads(line))
    return docs


def test_summary_drift_is_repaired_and_counted_without_phi_in_dimensions(monkeypatch, night, capsys):
    # Given a reading stored without its summary merge (the write path crashed in between)
    arriving(monkeypatch, "2026-03-10")
    readings.record(USER, [glucose(85, local_ms("2026-03-10", 8))])
    lost = readings.resolve(glucose(250, local_ms("2026-03-10", 20)))
    biomarkers_table.put_many([biomarkers_table.to_item(USER, lost)])
    assert biomarker_summary_table.get_stats(USER)["outOfRange"] == 0
    capsys.readouterr()
    # When the night runs
    night({"day": "2026-03-10"})
    # Then the summary reflects the reading, and the repair was counted
    stats = biomarker_summary_table.get_stats(USER)
    assert (stats["total"], stats["optimal"], stats["outOfRange"]) == (1, 0, 1)
    docs = [d for d in emf_metrics(capsys.readouterr().out) if "SummaryItemsRepaired" in d]
    assert [d["SummaryItemsRepaired"] for d in docs] == [[2.0]]  # the latest item and the stats item
    (directive,) = docs[0]["_aws"]["CloudWatchMetrics"]
    assert directive["Dimensions"] == [["service"]]  # a fixed dimension, never a user or biomarker


def test_a_consistent_summary_is_left_untouched(monkeypatch, night):
    arriving(monkeypatch, "2026-03-10")
    readings.record(USER, [glucose(85, local_ms("2026-03-10", 8)), new_reading("LDL Cholesterol", 60,
                                                                                 local_ms("2026-03-10", 9))])
    before = biomarker_summary_table.get_stats(USER)
    night({"day": "2026-03-10"})
    assert biomarker_summary_table.get_stats(USER) == before  # same version: no write


# --- work proportional to the active users --------------------------------------------------------


def add_inactive_users(count: int, start: int) -> None:
    """Users with history and markers on OTHER nights (what a Scan would have to wade through)."""
    names = env.table_names()
    ids = [f"inactive-{start + i:05d}" for i in range(count)]
    old = local_ms("2026-02-01", 9)
    bulk_put(names["BiomarkersTable"], (
        biomarkers_table.to_item(u, readings.resolve(glucose(88, old, rid=u))) for u in ids))
    bulk_put(names["BiomarkerSummaryTable"], (
        {"userId": u, "sk": keys.STATS_SK, "total": 1, "optimal": 1, "inRange": 0, "outOfRange": 0, "asOf": old,
         "version": 1} for u in ids))
    shards = rollup_markers_table.configured_shards()
    bulk_put(names["RollupMarkersTable"], (
        {"pk": rollup_markers_table.partition("2026-02-01", rollup_markers_table.shard_of(u, shards)), "sk": u,
         "expiresAt": 1} for u in ids))


@pytest.fixture
def partition_local(tables):
    with partition_local_queries():
        yield


def test_the_nights_requests_grow_with_its_50_active_users_not_the_5000_stored(monkeypatch, night, ddb_calls,
                                                                                  partition_local):
    # Given 50 users with readings on Mar 10 (3 biomarkers each) and 450 without
    arriving(monkeypatch, "2026-03-10")
    active = [f"active-{i:03d}" for i in range(50)]
    for user in active:
        readings.record(user, [glucose(80, local_ms("2026-03-10", 8), rid=user),
                               new_reading("LDL Cholesterol", 60, local_ms("2026-03-10", 9), rid=user),
                               new_reading("Heart Rate", 64, local_ms("2026-03-10", 10), unit="bpm", rid=user)])
    add_inactive_users(450, 0)
    ddb_calls.reset()
    small = night({"day": "2026-03-10"})
    at_500 = (dict(ddb_calls.operations), ddb_calls.items_read)
    # When 4,500 more users exist (5,000 in all) and the night is run again
    add_inactive_users(4_500, 450)
    ddb_calls.reset()
    large = night({"day": "2026-03-10"})
    at_5000 = (dict(ddb_calls.operations), ddb_calls.items_read)
    # Then it made exactly the same requests and read exactly the same items
    assert at_500 == at_5000
    assert small.planned == large.planned == {"nights": ["2026-03-10"], "users": 50, "messages": 2}
    # the checkpoint and 16 marker Queries; per user one Query of the day's readings and one of its
    # summary; 150 rollups written 25 per request; no Scan, no repair
    assert at_5000[0] == {"GetItem": 1, "Query": 16 + 50 * 2, "BatchWriteItem": 6}
    assert len(rollups_of("active-007")) == 3


# --- SQS partial batch failure ---------------------------------------------------------------------


def test_a_failing_batch_is_reported_alone_retried_and_dead_lettered(monkeypatch, night, queues, invoke):
    # Given two users marked, and a third message that can never be processed
    arriving(monkeypatch, "2026-03-10")
    readings.record(USER, [glucose(85, local_ms("2026-03-10", 8))])
    readings.record(OTHER, [glucose(95, local_ms("2026-03-10", 8))])
    sqs = aws.client("sqs")
    sqs.send_message(QueueUrl=queues["RollupWorkQueue"], MessageBody=json.dumps(
        {"due": "2026-03-10", "users": [{"userId": "not a valid id!", "days": ["2026-03-10"]}]}))
    # When the night runs (the planner queues one message for the two users)
    report = night({"day": "2026-03-10"})
    # Then both users are rolled up, the bad message failed alone on each of its 5 attempts,
    # and it now waits in the dead-letter queue for a redrive
    assert rollups_of(USER) and rollups_of(OTHER)
    assert len(report.failed_batches) == 5 and len(set(report.failed_batches)) == 1
    dead = sqs.receive_message(QueueUrl=queues["RollupWorkDeadLetterQueue"], MaxNumberOfMessages=10)["Messages"]
    assert [json.loads(m["Body"])["users"][0]["userId"] for m in dead] == ["not a valid id!"]


def test_the_worker_reports_only_the_failed_record_of_a_batch(monkeypatch, invoke, queues):
    arriving(monkeypatch, "2026-03-10")
    readings.record(USER, [glucose(85, local_ms("2026-03-10", 8))])
    with open(template.ROOT / "events" / "rollups" / "work.json") as fh:
        event = json.load(fh)
    good = event["Records"][0]
    good["body"] = json.dumps({"due": "2026-03-10", "users": [{"userId": USER, "days": ["2026-03-10"]}]})
    bad = {**good, "messageId": "bad-1", "body": "{not json"}
    result = invoke("RollupWorkerFunction", {"Records": [good, bad]})
    assert result == {"batchItemFailures": [{"itemIdentifier": "bad-1"}]}
    assert rollups_of(USER)[("Glucose", "2026-03-10")]["count"] == 1


# --- rollups equal a straightforward recompute --------------------------------------------------

_arrival = iter(range(10_000))

reading_rows = st.lists(
    st.tuples(st.sampled_from(["Marker A", "Marker B", "Marker C"]),
              # Lab-style values (DynamoDB refuses magnitudes below 1e-130, so no subnormal noise)
              st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False).map(lambda v: round(v, 3)),
              # Oct 30 to Nov 3, 2026: the fall-back day and its neighbours
              st.integers(local_ms("2026-10-30", 0, 0), local_ms("2026-11-03", 23, 59))),
    min_size=1, max_size=25)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=reading_rows, batches=st.integers(1, 3))
def test_rollups_equal_a_straightforward_recompute_from_the_raw_readings(monkeypatch, night, rows, batches):
    # Given readings of a fresh user arriving on a night of their own, in one to three batches
    user = str(uuid.uuid4())
    arrival_day = datetime.fromordinal(datetime(2027, 1, 1).toordinal() + next(_arrival)).date().isoformat()
    arriving(monkeypatch, arrival_day)
    batch = [new_reading(n, v, at, unit="U", status="optimal", category="metabolic", rid=f"r{i}")
             for i, (n, v, at) in enumerate(rows)]
    for part in range(batches):
        readings.record(user, batch[part::batches])
    # When that night runs
    night({"day": arrival_day})
    # Then every (biomarker, day) equals the obvious computation over the raw readings
    expected = {}
    for r in batch:
        day = datetime.fromtimestamp(r.recorded_at / 1000, NY).date().isoformat()
        expected.setdefault((r.name, day), []).append(r)
    got = rollups_of(user)
    assert set(got) == set(expected)
    for key, group in expected.items():
        values = [r.value for r in group]
        last = max(group, key=lambda r: (r.recorded_at, keys.reading_id(r.source, r.source_reading_id)))
        item = got[key]
        assert (item["count"], item["min"], item["max"], item["last"]) == (len(values), min(values), max(values),
                                                                          last.value)
        assert math.isclose(item["avg"], statistics.fmean(values), rel_tol=1e-12, abs_tol=1e-9)
    assert markers_of(arrival_day)[user] == tuple(sorted({d for _, d in expected}))
