"""The meter behind capacity/unit_costs.json charges DynamoDB's documented units: a write costs the
table and every index the item is in (two when its index key moves, none when its projection does
not change), a transaction twice, and each unit lands on its partition's class."""

from __future__ import annotations

import botocore.session
import pytest

from tests.support import env
from tests.support.meter import Meter

USERS, CONNECTIONS = env.table_names()["UsersTable"], env.table_names()["ConnectionsTable"]
ALICE = "alice-0001"


@pytest.fixture
def metered(tables: dict[str, str]) -> tuple[Meter, object]:
    session = botocore.session.get_session()
    raw = botocore.session.get_session().create_client("dynamodb", region_name="us-east-1")
    meter = Meter(session, raw)
    client = session.create_client("dynamodb", region_name="us-east-1")  # after the meter: hooked
    meter.subjects.update({ALICE, "alice@example.com", "c-1"})
    meter.active = True
    return meter, client


def _user(email: str = "alice@example.com") -> dict:
    return {"userId": {"S": ALICE}, "email": {"S": email}, "role": {"S": "patient"},
            "listSk": {"S": f"0001#{ALICE}"}, "createdAt": {"N": "1"}}


def test_a_put_writes_the_table_and_every_index_the_item_is_in(metered):
    meter, client = metered
    client.put_item(TableName=USERS, Item=_user())
    assert dict(meter.usage.units) == {
        ("UsersTable", "", "write", "user"): 1.0,
        ("UsersTable", "ByEmail", "write", "user"): 1.0,
        ("UsersTable", "ByRole", "write", "shared:patient"): 1.0,  # one partition for every patient
    }
    assert meter.usage.calls == {"dynamodb:PutItem": 1}


def test_moving_an_index_key_costs_a_delete_and_a_put_in_that_index(metered):
    meter, client = metered
    client.put_item(TableName=USERS, Item=_user())
    meter.usage.reset()
    client.update_item(TableName=USERS, Key={"userId": {"S": ALICE}}, UpdateExpression="SET email = :e",
                       ExpressionAttributeValues={":e": {"S": "alice@example.com"[::-1]}})
    assert meter.usage.units[("UsersTable", "ByEmail", "write", "user")] == 1.0  # the old entry
    assert meter.usage.units[("UsersTable", "ByEmail", "write", "shared:moc.elpmaxe@ecila")] == 1.0  # the new one
    assert meter.usage.units[("UsersTable", "ByRole", "write", "shared:patient")] == 1.0  # email is projected there


def test_an_update_outside_a_keys_only_projection_does_not_write_the_index(metered):
    meter, client = metered
    key = {"userId": {"S": ALICE}, "connectionId": {"S": "c-1"}}
    client.put_item(TableName=CONNECTIONS, Item={**key, "expiresAt": {"N": "1"}})
    meter.usage.reset()
    client.update_item(TableName=CONNECTIONS, Key=key, UpdateExpression="SET expiresAt = :t",
                       ExpressionAttributeValues={":t": {"N": "2"}})
    assert dict(meter.usage.units) == {("ConnectionsTable", "", "write", "user"): 1.0}


def test_a_transaction_writes_at_twice_the_units(metered):
    meter, client = metered
    client.transact_write_items(TransactItems=[{"Put": {"TableName": USERS, "Item": _user()}}])
    assert meter.usage.units[("UsersTable", "", "write", "user")] == 2.0


def test_reads_round_up_to_four_kilobytes_and_cost_half_when_eventually_consistent(metered):
    meter, client = metered
    client.put_item(TableName=USERS, Item={**_user(), "name": {"S": "x" * 5000}})
    meter.usage.reset()
    client.get_item(TableName=USERS, Key={"userId": {"S": ALICE}})
    client.get_item(TableName=USERS, Key={"userId": {"S": ALICE}}, ConsistentRead=True)
    assert meter.usage.units[("UsersTable", "", "read", "user")] == 1.0 + 2.0
    assert meter.usage.items["read"] == 2


def test_nothing_is_metered_while_inactive(metered):
    meter, client = metered
    meter.active = False
    client.put_item(TableName=USERS, Item=_user())
    assert not meter.usage.units and not meter.usage.calls
