"""LiveFanOutFunction: stream batches of BiomarkerSummary, Appointments and Medications become
``{"type": "changed", "topic": ...}`` messages on the changed users' connections only."""

from __future__ import annotations

import json
import time
from typing import Any

import botocore.session
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from clinic import aws
from clinic.repositories import connections_table
from tests.support.events import _load, stream_record

FUNCTION = "LiveFanOutFunction"
ALICE, BOB, CAROL = "user-alice", "user-bob", "user-carol"


def connect(user_id: str, *connection_ids: str) -> None:
    for connection_id in connection_ids:
        connections_table.put(user_id, connection_id, int(time.time()) + 3600)


def stored(user_id: str) -> set[str]:
    return set(connections_table.of_user(user_id, int(time.time())))


def record(tables: dict[str, str], table: str, user_id: str, sequence_number: int, **kw: Any) -> dict[str, Any]:
    return stream_record(tables[table], user_id, str(sequence_number).zfill(21), **kw)


@pytest.mark.parametrize(("table", "topic"), [
    ("BiomarkerSummaryTable", "stats"),
    ("AppointmentsTable", "appointments"),
    ("MedicationsTable", "medications"),
])
def test_each_tables_change_tells_its_owner_the_matching_topic(tables, management, invoke, table, topic):
    # Given Alice with two connections and Bob with one
    connect(ALICE, "a1", "a2")
    connect(BOB, "b1")
    # When one of Alice's records in the table changes
    result = invoke(FUNCTION, {"Records": [record(tables, table, ALICE, 1)]})
    # Then each of Alice's connections gets that topic, Bob's nothing, and nothing failed
    assert result == {"batchItemFailures": []}
    assert management.received("a1") == management.received("a2") == [{"type": "changed", "topic": topic}]
    assert management.received("b1") == []


def test_the_message_carries_no_record_data(tables, management, invoke):
    connect(ALICE, "a1")
    invoke(FUNCTION, {"Records": [record(tables, "AppointmentsTable", ALICE, 1, sk="1795586401000#appt-42")]})
    ((_, message),) = management.posts
    assert set(message) == {"type", "topic"}
    assert "appt-42" not in json.dumps(message) and ALICE not in json.dumps(message)


def test_a_batch_of_several_users_and_tables_tells_each_user_only_their_topics(tables, management, invoke):
    connect(ALICE, "a1")
    connect(BOB, "b1")
    connect(CAROL, "c1")
    batch = [record(tables, "BiomarkerSummaryTable", ALICE, 1), record(tables, "MedicationsTable", BOB, 2),
             record(tables, "AppointmentsTable", ALICE, 3)]
    assert invoke(FUNCTION, {"Records": batch}) == {"batchItemFailures": []}
    assert sorted(m["topic"] for m in management.received("a1")) == ["appointments", "stats"]
    assert management.received("b1") == [{"type": "changed", "topic": "medications"}]
    assert management.received("c1") == []


def test_many_changes_to_one_users_topic_in_a_batch_send_one_message_per_connection(tables, management, invoke):
    # Given a lab panel: 30 summary rows of Alice changed in one batch, and one appointment
    connect(ALICE, "a1", "a2")
    batch = [record(tables, "BiomarkerSummaryTable", ALICE, n, sk=f"latest#marker-{n}") for n in range(30)]
    batch.append(record(tables, "AppointmentsTable", ALICE, 99))
    invoke(FUNCTION, {"Records": batch})
    # Then each connection gets "stats" once and "appointments" once
    for connection_id in ("a1", "a2"):
        assert sorted(m["topic"] for m in management.received(connection_id)) == ["appointments", "stats"]
    assert len(management.posts) == 4


def test_one_query_per_user_per_batch_whatever_the_number_of_records(tables, management, invoke, ddb_calls):
    connect(ALICE, "a1")
    connect(BOB, "b1")
    changes = ([("BiomarkerSummaryTable", ALICE)] * 20 + [("AppointmentsTable", ALICE)] * 5
               + [("MedicationsTable", BOB)] * 10)
    batch = [record(tables, t, u, n) for n, (t, u) in enumerate(changes)]
    ddb_calls.reset()
    invoke(FUNCTION, {"Records": batch})
    assert dict(ddb_calls.operations) == {"Query": 2}
    assert "Scan" not in ddb_calls.operations


def test_a_user_without_connections_costs_one_query_and_no_post(tables, management, invoke, ddb_calls):
    ddb_calls.reset()
    result = invoke(FUNCTION, {"Records": [record(tables, "BiomarkerSummaryTable", CAROL, 1)]})
    assert result == {"batchItemFailures": []}
    assert dict(ddb_calls.operations) == {"Query": 1} and management.posts == []


def test_a_gone_connection_is_deleted_and_the_others_still_get_the_message(tables, management, invoke):
    connect(ALICE, "a1", "a-gone")
    management.answers["a-gone"] = (410, "GoneException")
    result = invoke(FUNCTION, {"Records": [record(tables, "BiomarkerSummaryTable", ALICE, 1),
                                           record(tables, "AppointmentsTable", ALICE, 2)]})
    # A gone connection is not a failure: nothing to retry
    assert result == {"batchItemFailures": []}
    assert stored(ALICE) == {"a1"}
    assert len(management.received("a1")) == 2


def test_a_post_failing_otherwise_reports_only_its_records(tables, management, invoke):
    # Given Bob's connection fails with a server error, Alice's works
    connect(ALICE, "a1")
    connect(BOB, "b1")
    management.answers["b1"] = (500, "InternalServerError")
    alice_1, bob_1, alice_2, bob_2 = (record(tables, "BiomarkerSummaryTable", ALICE, 1),
                                      record(tables, "BiomarkerSummaryTable", BOB, 2),
                                      record(tables, "AppointmentsTable", ALICE, 3),
                                      record(tables, "BiomarkerSummaryTable", BOB, 4))
    result = invoke(FUNCTION, {"Records": [alice_1, bob_1, alice_2, bob_2]})
    # Then exactly Bob's records are reported, and his connection is kept (it is not gone)
    failed = [f["itemIdentifier"] for f in result["batchItemFailures"]]
    assert sorted(failed) == sorted([bob_1["dynamodb"]["SequenceNumber"], bob_2["dynamodb"]["SequenceNumber"]])
    assert stored(BOB) == {"b1"}
    assert len(management.received("a1")) == 2


def test_a_failed_connections_lookup_reports_that_users_records_only(tables, management, invoke):
    connect(ALICE, "a1")
    connect(BOB, "b1")
    alice, bob = record(tables, "BiomarkerSummaryTable", ALICE, 1), record(tables, "BiomarkerSummaryTable", BOB, 2)
    original = connections_table.of_user

    def failing_for_bob(user_id: str, now: int) -> list[str]:
        if user_id == BOB:
            raise ClientError({"Error": {"Code": "ProvisionedThroughputExceededException", "Message": ""}}, "Query")
        return original(user_id, now)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(connections_table, "of_user", failing_for_bob)
        result = invoke(FUNCTION, {"Records": [alice, bob]})
    assert result == {"batchItemFailures": [{"itemIdentifier": bob["dynamodb"]["SequenceNumber"]}]}
    assert management.received("a1") == [{"type": "changed", "topic": "stats"}]


def test_expired_connections_the_ttl_has_not_swept_get_nothing(tables, management, invoke):
    connections_table.put(ALICE, "a-expired", int(time.time()) - 1)
    connect(ALICE, "a1")
    invoke(FUNCTION, {"Records": [record(tables, "BiomarkerSummaryTable", ALICE, 1)]})
    assert [target for target, _ in management.posts] == ["a1"]


def test_records_of_other_streams_are_ignored(tables, management, invoke):
    connect(ALICE, "a1")
    result = invoke(FUNCTION, {"Records": [record(tables, "BiomarkersTable", ALICE, 1)]})
    assert result == {"batchItemFailures": []} and management.posts == []


def test_the_sample_event_file_routes_summary_and_appointment_records(tables, management, invoke, monkeypatch):
    # events/live/stream.json (what `sam local invoke` uses) names the deployed tables' streams
    event = _load("live/stream.json")
    names = {r["eventSourceARN"].split("/")[1] for r in event["Records"]}
    summary = next(n for n in names if "BiomarkerSummary" in n)
    appointments = next(n for n in names if "Appointments" in n)
    from clinic.services import live

    monkeypatch.setattr(live, "_topics_by_table", lambda: {summary: "stats", appointments: "appointments"})
    user_id = event["Records"][0]["dynamodb"]["Keys"]["userId"]["S"]
    connect(user_id, "c1")
    invoke(FUNCTION, event)
    assert sorted(m["topic"] for m in management.received("c1")) == ["appointments", "stats"]


def test_the_real_clients_gone_and_server_errors_are_told_apart(tables, invoke):
    # botocore's own error parsing (Stubber), not the fake's: 410 GoneException vs 500
    client = botocore.session.get_session().create_client(
        "apigatewaymanagementapi", region_name="us-east-1", endpoint_url="https://example.execute-api.us-east-1.amazonaws.com/dev")
    connect(ALICE, "a-gone")
    connect(BOB, "b-broken")
    alice, bob = record(tables, "BiomarkerSummaryTable", ALICE, 1), record(tables, "BiomarkerSummaryTable", BOB, 2)
    with Stubber(client) as stub:
        stub.add_client_error("post_to_connection", service_error_code="GoneException", http_status_code=410)
        stub.add_client_error("post_to_connection", service_error_code="InternalServerError", http_status_code=500)
        aws.override("apigatewaymanagementapi", client)
        try:
            result = invoke(FUNCTION, {"Records": [alice, bob]})
        finally:
            aws.override("apigatewaymanagementapi", None)
        stub.assert_no_pending_responses()
    assert result == {"batchItemFailures": [{"itemIdentifier": bob["dynamodb"]["SequenceNumber"]}]}
    assert stored(ALICE) == set() and stored(BOB) == {"b-broken"}
