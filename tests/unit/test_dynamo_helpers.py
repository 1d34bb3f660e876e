"""Batched reads and writes under failures moto cannot produce (botocore Stubber)."""

import math

import botocore.session
import pytest
from botocore.stub import Stubber
from hypothesis import given
from hypothesis import strategies as st

from clinic import aws
from clinic.repositories import dynamo


@pytest.fixture
def stubbed():
    client = botocore.session.get_session().create_client("dynamodb", region_name="us-east-1")
    aws.override("dynamodb", client)
    with Stubber(client) as stubber:
        yield stubber
    aws.override("dynamodb", None)


def put(i):
    return {"PutRequest": {"Item": dynamo.to_item({"userId": "u", "sk": f"{i:03d}"})}}


def test_unprocessed_items_are_retried_until_written(stubbed, instant_retries):
    items = [{"userId": "u", "sk": f"{i:03d}"} for i in range(3)]
    # Given DynamoDB takes one item, then leaves two unprocessed once, then takes them
    stubbed.add_response("batch_write_item", {"UnprocessedItems": {"T": [put(1), put(2)]}})
    stubbed.add_response("batch_write_item", {"UnprocessedItems": {}},
                         expected_params={"RequestItems": {"T": [put(1), put(2)]}, "ReturnConsumedCapacity": "TOTAL"})
    # When written
    dynamo.batch_write("T", items)
    # Then exactly the unprocessed part was resent, after one backoff
    stubbed.assert_no_pending_responses()
    assert len(instant_retries) == 1


def test_writes_go_in_chunks_of_25(stubbed):
    for _ in range(3):
        stubbed.add_response("batch_write_item", {"UnprocessedItems": {}})
    dynamo.batch_write("T", [{"userId": "u", "sk": f"{i:03d}"} for i in range(60)])
    stubbed.assert_no_pending_responses()


def test_unprocessed_on_every_attempt_raises_with_everything_not_written(stubbed, instant_retries):
    # Given 30 items: the first chunk of 25 keeps coming back with item 7 unprocessed
    for _ in range(dynamo.MAX_ATTEMPTS):
        stubbed.add_response("batch_write_item", {"UnprocessedItems": {"T": [put(7)]}})
    with pytest.raises(dynamo.UnprocessedError) as failure:
        dynamo.batch_write("T", [{"userId": "u", "sk": f"{i:03d}"} for i in range(30)])
    # Then the error names item 7 and the 5 items of the chunk never sent: nothing is lost silently
    left = sorted(item["sk"]["S"] for item in failure.value.remaining)
    assert left == ["007", "025", "026", "027", "028", "029"]
    assert len(instant_retries) == dynamo.MAX_ATTEMPTS - 1


def test_backoff_is_bounded_and_grows(monkeypatch):
    monkeypatch.setattr(dynamo.random, "uniform", lambda low, high: high)
    delays = list(dynamo.backoff_delays())
    assert delays == sorted(delays)
    assert len(delays) == dynamo.MAX_ATTEMPTS - 1
    assert max(delays) <= dynamo.MAX_DELAY_S


def test_unprocessed_keys_are_fetched_again(stubbed, instant_retries):
    key = dynamo.to_item({"userId": "u", "sk": "1"})
    stubbed.add_response("batch_get_item", {"Responses": {"T": []}, "UnprocessedKeys": {"T": {"Keys": [key]}}})
    stubbed.add_response("batch_get_item", {"Responses": {"T": [{**key, "v": {"N": "5"}}]}, "UnprocessedKeys": {}})
    found = dynamo.batch_get({"T": [{"userId": "u", "sk": "1"}]})
    assert found == {"T": [{"userId": "u", "sk": "1", "v": 5}]}


def test_throttled_batch_get_on_every_attempt_raises(stubbed, instant_retries):
    key = dynamo.to_item({"userId": "u", "sk": "1"})
    for _ in range(dynamo.MAX_ATTEMPTS):
        stubbed.add_response("batch_get_item", {"Responses": {}, "UnprocessedKeys": {"T": {"Keys": [key]}}})
    with pytest.raises(dynamo.UnprocessedError):
        dynamo.batch_get({"T": [{"userId": "u", "sk": "1"}]})


scalars = st.one_of(
    st.none(), st.booleans(), st.text(max_size=20), st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=64).filter(lambda f: f != int(f) or abs(f) < 1e15),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=12,
)


@given(values)
def test_codec_round_trips(value):
    decoded = dynamo.from_av(dynamo.to_av(value))
    if isinstance(value, float) and value == int(value):
        assert decoded == value
    else:
        assert decoded == value


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_codec_refuses_non_finite_numbers(bad):
    with pytest.raises(ValueError, match="finite"):
        dynamo.to_av(bad)
