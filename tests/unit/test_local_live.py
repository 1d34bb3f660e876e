"""The local runner's stand-ins for API Gateway around the fan-out: the management endpoint that
botocore's apigatewaymanagementapi client talks to, and the stream poller's retry semantics."""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest
from botocore.exceptions import ClientError

from clinic_local import live, template


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
