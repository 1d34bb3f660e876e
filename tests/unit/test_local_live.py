"""The local runner's stand-ins for API Gateway around the fan-out: the management endpoint that
botocore's apigatewaymanagementapi client talks to, and the stream poller's retry semantics."""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest
from botocore.exceptions import ClientError

from clinic_local import live
from clinic_tools import template
from tests.support.env import table_names


@pytest.fixture
def management_client():
    connections = live.Connections()
    server = live.serve_management("127.0.0.1", connections)
    client = botocore.session.get_session().create_client(
        "apigatewaymanagementapi", region_name="us-east-1", aws_access_key_id="local", aws_secret_access_key="local",
        endpoint_url=f"http://127.0.0.1:{server.server_address[1]}")
    yield client, connections
    server.shutdown()


class FakeSocket:
    def __init__(self) -> None:
        self.sent: list[str] = []
        self.closed = False

    def send(self, text: str) -> None:
        self.sent.append(text)

    def close(self) -> None:
        self.closed = True


@pytest.mark.parametrize("call", ["post_to_connection", "delete_connection", "get_connection"])
def test_an_unknown_connection_is_gone_to_the_real_client(management_client, call):
    client, _ = management_client
    kwargs: dict[str, Any] = {"ConnectionId": "L0SM9cOFvHcCIhw="}
    if call == "post_to_connection":
        kwargs["Data"] = b"{}"
    with pytest.raises(ClientError) as gone:
        getattr(client, call)(**kwargs)
    assert gone.value.response["ResponseMetadata"]["HTTPStatusCode"] == 410


def test_a_post_reaches_the_socket_as_a_text_frame_and_delete_closes_it(management_client):
    client, connections = management_client
    socket = FakeSocket()
    connection_id = "L0SM9cOFvHcCIhw="  # "=" must survive the client's URL encoding
    connections.add(connection_id, socket)  # type: ignore[arg-type]
    connections.opened(connection_id)
    client.post_to_connection(ConnectionId=connection_id, Data=b'{"type":"changed","topic":"stats"}')
    assert socket.sent == ['{"type":"changed","topic":"stats"}']
    assert "ConnectedAt" in client.get_connection(ConnectionId=connection_id)
    client.delete_connection(ConnectionId=connection_id)
    assert socket.closed


SOURCE = template.StreamSource("LiveFanOutFunction", "BiomarkerSummaryTable", batch_size=100,
                               maximum_retry_attempts=2, partial_failures=True)


def records(*sequence_numbers: str) -> list[dict[str, Any]]:
    return [{"dynamodb": {"SequenceNumber": s}} for s in sequence_numbers]


def poller(invoke) -> live.StreamPoller:
    bare = live.StreamPoller.__new__(live.StreamPoller)  # no streams: only the delivery is under test
    bare._invoke, bare.batches, bare.failed_records_dropped = invoke, 0, 0
    return bare


def test_a_reported_failure_is_delivered_again_from_that_record_on():
    batches: list[list[str]] = []

    def invoke(function: str, event: dict[str, Any]) -> dict[str, Any]:
        batches.append([r["dynamodb"]["SequenceNumber"] for r in event["Records"]])
        return {"batchItemFailures": [{"itemIdentifier": "2"}] if len(batches) == 1 else []}

    delivery = poller(invoke)
    delivery._deliver(SOURCE, records("1", "2", "3"))
    assert batches == [["1", "2", "3"], ["2", "3"]]
    assert delivery.failed_records_dropped == 0


def test_records_failing_past_the_retry_limit_are_dropped_as_the_mapping_would():
    batches: list[int] = []

    def invoke(function: str, event: dict[str, Any]) -> dict[str, Any]:
        batches.append(len(event["Records"]))
        raise RuntimeError("the function failed")

    delivery = poller(invoke)
    delivery._deliver(SOURCE, records("1", "2"))
    assert batches == [2, 2, 2]  # the first delivery and 2 retries
    assert delivery.failed_records_dropped == 2


# --- following the streams' shards (moto's server, as the runner uses it) ---------------------


@pytest.fixture
def tables(moto_server):
    return table_names()


@pytest.fixture
def start_poller(moto_server, tables):
    """Starts a poller on the template's streamed tables that delivers into a list instead of
    invoking the fan-out; returns the poller and that list."""
    from clinic import aws

    streams = botocore.session.get_session().create_client(
        "dynamodbstreams", region_name="us-east-1", endpoint_url=moto_server)

    def start() -> tuple[live.StreamPoller, list[tuple[str, str]]]:
        delivered: list[tuple[str, str]] = []

        def invoke(function: str, event: dict[str, Any]) -> dict[str, Any]:
            delivered.extend((r["eventName"], r["dynamodb"]["Keys"]["userId"]["S"]) for r in event["Records"])
            return {"batchItemFailures": []}

        return live.StreamPoller(aws.dynamodb(), streams, tables, "us-east-1", invoke), delivered

    return start


@pytest.fixture
def put_stats(tables):
    """Puts a user's stats item in BiomarkerSummary (a streamed table)."""
    from clinic import aws

    def put(user: str) -> None:
        aws.dynamodb().put_item(**stats_put(tables["BiomarkerSummaryTable"], user)["Put"])

    return put


def stats_put(table: str, user: str, condition: str | None = None) -> dict[str, Any]:
    action: dict[str, Any] = {"TableName": table, "Item": {"userId": {"S": user}, "sk": {"S": "stats"}}}
    if condition:
        action["ConditionExpression"] = condition
    return {"Put": action}


def test_the_poller_keeps_delivering_after_moto_restores_a_table_for_a_cancelled_transaction(
        start_poller, put_stats, tables):
    from botocore.exceptions import ClientError

    from clinic import aws

    table = tables["BiomarkerSummaryTable"]
    poller, delivered = start_poller()
    # Given a change the poller delivered
    put_stats("before")
    assert poller.poll_once() == 1
    # When a transaction is cancelled (moto applies its other puts, then restores a copy of the
    # table taken before, stream shard included) and the summary changes again
    with pytest.raises(ClientError):
        aws.dynamodb().transact_write_items(TransactItems=[
            stats_put(table, "before", "attribute_not_exists(sk)"), stats_put(table, "rolled-back")])
    put_stats("after")
    put_stats("after")
    poller.poll_once()
    # Then the later changes are delivered, and nothing of the cancelled transaction
    assert delivered == [("INSERT", "before"), ("INSERT", "after"), ("MODIFY", "after")]


def test_the_poller_starts_after_the_records_already_in_the_streams(start_poller, put_stats):
    # Given changes made before the poller starts
    put_stats("earlier")
    put_stats("earlier")
    poller, delivered = start_poller()
    # When one more change is made
    put_stats("later")
    poller.poll_once()
    # Then only that one is delivered
    assert delivered == [("INSERT", "later")]


@pytest.mark.parametrize(("answer", "status", "retry_after"), [
    ({"statusCode": 429, "headers": {"Retry-After": "30"}}, 429, "30"),
    ({"statusCode": 429}, 429, "1"),  # a 429 never goes out without one
    ({"statusCode": 401}, 401, None),
])
def test_a_refused_handshake_carries_the_connect_functions_retry_after(answer, status, retry_after):
    # Given a $connect function that refuses
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    server = live.serve_websocket("127.0.0.1", 0, live.Connections(), lambda name, event: answer)
    try:
        # When a client opens the socket
        with pytest.raises(InvalidStatus) as refused:
            connect(f"ws://127.0.0.1:{server.socket.getsockname()[1]}/?token=t", open_timeout=5)
    finally:
        server.shutdown()
    # Then the handshake's answer is the function's status, with Retry-After on a 429 only
    response = refused.value.response
    assert response.status_code == status
    assert response.headers.get("Retry-After") == retry_after
