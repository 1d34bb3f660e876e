"""The invariant ingest exists for: whatever pipelines do (duplicates, reorderings, retries of
partly applied batches) and whatever DynamoDB does (refusals, timeouts after applying, conflicts,
a crash before the commit), once every reading reported failed has been retried,
BiomarkerSummary equals a recompute from the Biomarkers table, and every reading is stored.
Whenever nothing is waiting for a retry, it holds at once."""

from __future__ import annotations

import random
import threading
import uuid
from collections import defaultdict
from typing import Any

from botocore.exceptions import ClientError, ReadTimeoutError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinic import aws
from clinic.repositories import dynamo, keys
from clinic.services import ingest
from clinic.services import summary as merging
from clinic.services.readings import Outcome
from tests.support.data import DAY_MS, NOW_MS, create_users, ingest_reading
from tests.support.dynamo import recreate_tables
from tests.support.env import table_names

TABLES = table_names()
NAMES = [("Continuous Glucose (CGM)", "mg/dL", (60, 80, 100, 150)), ("Heart Rate", "bpm", (55, 65, 90, 120)),
         ("LDL Cholesterol", "mg/dL", (60, 90, 130, 180)), ("TSH", "mIU/L", (0.3, 1.5, 3.0, 6.0))]
FAULTS = ["none", "read-timeout", "conflict-once", "conflict-always", "commit-answer-lost", "commit-throttled",
          "crash-before-commit"]


def universe(users: list[str]) -> list[dict[str, Any]]:
    """Every distinct reading a test can send: per user and biomarker, 6 times, 4 values. The same
    (source, sourceReadingId) always carries the same content, as the idempotency key promises."""
    out = []
    for user in users:
        for name, unit, values in NAMES:
            for step in range(6):
                at = NOW_MS - DAY_MS + step * 3_600_000 * (1 + len(name) % 3)
                out.append(ingest_reading(user, name, values[(step * 7 + len(user)) % 4], at, unit=unit,
                                          rid=f"{user}-{name[:3]}-{step}"))
    return out


# --- a DynamoDB that fails the way the real one can -------------------------------------------


class Crash(Exception):
    """The function died (timeout, out of memory) before its transaction reached DynamoDB."""


def _cancelled(*reasons: str) -> ClientError:
    return ClientError({"Error": {"Code": "TransactionCanceledException", "Message": "cancelled"},
                        "CancellationReasons": [{"Code": r} for r in reasons]}, "TransactWriteItems")


class FaultyDynamo:
    """The real (moto) client with one kind of fault injected into one ingest call."""

    def __init__(self, real: Any, fault: str) -> None:
        self.real, self.fault = real, fault
        self.fired = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def _once(self, fault: str) -> bool:
        if self.fault == fault and not self.fired:
            self.fired = True
            return True
        return False

    def batch_get_item(self, **kwargs: Any) -> Any:
        if self._once("read-timeout"):
            raise ReadTimeoutError(endpoint_url="moto")
        return self.real.batch_get_item(**kwargs)

    def transact_write_items(self, **kwargs: Any) -> Any:
        if self.fault == "conflict-always":
            raise _cancelled("TransactionConflict")
        if self._once("conflict-once"):
            raise _cancelled("None", "TransactionConflict")
        if self._once("commit-throttled"):
            raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, "TransactWriteItems")
        if self._once("crash-before-commit"):
            raise Crash
        response = self.real.transact_write_items(**kwargs)
        if self._once("commit-answer-lost"):
            raise ReadTimeoutError(endpoint_url="moto")
        return response


def send(batch: list[dict[str, Any]], fault: str = "none") -> list[dict[str, Any]]:
    """Ingest ``batch`` under ``fault``; returns what must be retried (failed, or all on a crash)."""
    real = aws.dynamodb()
    aws.override("dynamodb", FaultyDynamo(real, fault))
    try:
        results = ingest.ingest(batch)
    except Crash:
        return list(batch)
    finally:
        aws.override("dynamodb", None)
    assert Outcome.REJECTED not in {r.outcome for r in results}
    return [batch[r.index] for r in results if r.outcome == Outcome.FAILED]


# --- the invariant ---------------------------------------------------------------------------


def _query(table: str, user: str) -> list[dict[str, Any]]:
    client, items, request = aws.dynamodb(), [], {
        "TableName": table, "KeyConditionExpression": "userId = :u", "ConsistentRead": True,
        "ExpressionAttributeValues": {":u": {"S": user}}}
    while True:
        page = client.query(**request)
        items += [dynamo.from_item(i) for i in page["Items"]]
        if "LastEvaluatedKey" not in page:
            return items
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def counters(stats: dict[str, Any] | None) -> dict[str, Any]:
    stats = stats or merging.empty_stats()
    return {k: stats.get(k) for k in ("total", "optimal", "inRange", "outOfRange", "asOf")}


def assert_summary_is_a_recompute(user: str) -> None:
    stored = _query(TABLES["BiomarkersTable"], user)
    summary_items = _query(TABLES["BiomarkerSummaryTable"], user)
    stats = next((i for i in summary_items if i["sk"] == keys.STATS_SK), None)
    latest = {i["name"]: i for i in summary_items if i["sk"].startswith(keys.LATEST_PREFIX)}
    expected_stats, expected_latest = merging.recompute(user, stored)
    assert counters(stats if latest else None) == counters(expected_stats if stored else None)
    assert {n: {f: i[f] for f in merging.LATEST_FIELDS} for n, i in latest.items()} == \
           {i["name"]: {f: i[f] for f in merging.LATEST_FIELDS} for i in expected_latest}


def assert_everything_stored(user: str, sent: list[dict[str, Any]]) -> None:
    stored = {(r["readingId"], r["recordedAt"], r["value"]) for r in _query(TABLES["BiomarkersTable"], user)}
    wanted = {(keys.reading_id(r["source"], r["sourceReadingId"]), r["recordedAt"], r["value"])
              for r in sent if r["userId"] == user}
    assert stored == wanted


step = st.tuples(
    st.lists(st.integers(0, 10_000), min_size=1, max_size=30),  # which readings (duplicates allowed)
    st.sampled_from(FAULTS),
    st.integers(0, 3),  # retry now (0) or leave pending for later
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(step, min_size=1, max_size=6), st.randoms(use_true_random=False))
def test_summary_equals_a_recompute_after_any_batches_faults_and_retries(tables, instant_retries, steps, rnd):
    recreate_tables(aws.dynamodb())
    users = ["inv-user-a", "inv-user-b"]
    create_users(*users)
    pool = universe(users)
    sent: list[dict[str, Any]] = []
    pending: list[dict[str, Any]] = []
    for picks, fault, retry_now in steps:
        batch = [pool[i % len(pool)] for i in picks]
        if pending and retry_now == 0:
            batch, pending = batch + pending, []  # a retry of a partly applied batch, mixed with new ones
        rnd.shuffle(batch)
        sent += batch
        pending += send(batch, fault)
        if not pending:
            for user in users:
                assert_summary_is_a_recompute(user)
    # Then every reading reported failed is retried (as callers and SQS do) until none fails
    for _ in range(3):
        if pending:
            pending = send(pending)
    assert pending == []
    for user in users:
        assert_summary_is_a_recompute(user)
        assert_everything_stored(user, sent)


# --- concurrently, against moto's server ------------------------------------------------------


def ingest_until_done(batches: list[list[dict[str, Any]]], errors: list[BaseException]) -> None:
    try:
        for batch in batches:
            left = batch
            for _ in range(20):
                results = ingest.ingest(left)
                left = [left[r.index] for r in results if r.outcome == Outcome.FAILED]
                if not left:
                    break
            assert left == [], "readings still failing after 20 retries"
    except BaseException as error:  # noqa: BLE001 - reported by the main thread
        errors.append(error)


def run_concurrently(per_thread: list[list[list[dict[str, Any]]]]) -> list[BaseException]:
    """One thread per pipeline, all started together; returns what any of them raised."""
    errors: list[BaseException] = []
    threads = [threading.Thread(target=ingest_until_done, args=(batches, errors)) for batches in per_thread]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.randoms(use_true_random=False))
def test_threads_ingesting_overlapping_batches_for_the_same_users_keep_the_invariant(moto_server, instant_retries,
                                                                                      rnd):
    # Given 3 users and 4 pipelines (threads) sending overlapping, shuffled batches of their readings
    users = [f"conc-{uuid.uuid4().hex[:12]}" for _ in range(3)]
    create_users(*users)
    pool = universe(users)
    per_thread = []
    for _ in range(4):
        picks = [rnd.choice(pool) for _ in range(60)]
        per_thread.append([picks[i : i + 15] for i in range(0, len(picks), 15)])
    # When they all run at once
    assert run_concurrently(per_thread) == []
    # Then each user's summary is a recompute of what is stored, and everything sent is stored
    sent = [r for batches in per_thread for batch in batches for r in batch]
    for user in users:
        assert_summary_is_a_recompute(user)
        assert_everything_stored(user, sent)


def test_the_concurrent_test_does_contend(moto_server, instant_retries, monkeypatch):
    # Guard: the threads above really race for the same summaries (some commits lose and retry)
    from clinic.repositories import biomarker_summary_table
    lost = defaultdict(int)
    real = biomarker_summary_table.commit

    def counting(*args, **kwargs):
        try:
            return real(*args, **kwargs)
        except biomarker_summary_table.StaleSummary:
            lost["n"] += 1
            raise

    monkeypatch.setattr(biomarker_summary_table, "commit", counting)
    users = [f"race-{uuid.uuid4().hex[:12]}" for _ in range(1)]
    create_users(*users)
    pool = universe(users)
    rnd = random.Random(7)
    per_thread = [[[rnd.choice(pool) for _ in range(8)] for _ in range(6)] for _ in range(4)]
    assert run_concurrently(per_thread) == []
    assert lost["n"] > 0
    assert_summary_is_a_recompute(users[0])


# --- honest results: one "accepted" per stored reading ----------------------------------------


def submit_until_settled(batch: list[dict[str, Any]], accepted: list[str], errors: list[BaseException]) -> None:
    """One pipeline: submits ``batch``, resubmits what failed; collects the ids it was told accepted."""
    try:
        left = batch
        for _ in range(20):
            results = ingest.ingest(left)
            accepted += [r.reading_id for r in results if r.outcome == Outcome.ACCEPTED]
            left = [left[r.index] for r in results if r.outcome == Outcome.FAILED]
            if not left:
                return
        raise AssertionError("readings still failing after 20 retries")
    except BaseException as error:  # noqa: BLE001 - reported by the main thread
        errors.append(error)


def test_concurrent_and_repeated_submissions_of_one_batch_accept_each_stored_reading_once(moto_server,
                                                                                           instant_retries):
    for round_ in range(3):
        # Given a new batch of 24 readings for one user (4 biomarkers, 6 readings each)
        user = f"once-{uuid.uuid4().hex[:12]}"
        create_users(user)
        batch = universe([user])
        # When 6 pipelines submit it at once, then each submits it once more
        accepted: list[str] = []
        errors: list[BaseException] = []
        threads = [threading.Thread(target=submit_until_settled, args=(batch, accepted, errors)) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        submit_until_settled(batch, accepted, errors)
        assert errors == []
        # Then exactly one result per stored reading said accepted; every other one said duplicate
        stored = [i["readingId"] for i in _query(TABLES["BiomarkersTable"], user)]
        assert len(stored) == len(batch)
        assert sorted(accepted) == sorted(stored), f"round {round_}: {len(accepted)} accepted, {len(stored)} stored"
        assert_summary_is_a_recompute(user)
