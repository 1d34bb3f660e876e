"""The backfill of staff search's name look-ups (docs/decisions.md 63): users written before the
look-ups existed get theirs when the deploy invokes IndexPatientNamesFunction until it is done,
in resumable, time-bounded parts, without a Scan; a finished walk is recorded, and walking again
writes nothing."""

from __future__ import annotations

import pytest

from clinic import aws
from clinic.repositories import dynamo, keys, users_table
from clinic.services import name_backfill
from clinic_ops import backfill
from tests.support.api import call
from tests.support.data import NOW_MS

FUNCTION = "IndexPatientNamesFunction"


def written_before_the_look_ups(tables, user_id, name, role="patient"):
    """A Users item as the earlier release wrote it: no nameIndex, no look-up items."""
    item = {"userId": user_id, "email": f"{user_id}@example.com", "role": role, "createdAt": NOW_MS,
            "listSk": keys.timed(NOW_MS, user_id), "version": 1, **({"name": name} if name else {})}
    aws.dynamodb().put_item(TableName=tables["UsersTable"], Item=dynamo.to_item(item))


def searched(invoke, name):
    reply = call(invoke, "ListPatientsFunction", admin=True, query={"name": name})
    assert reply.status == 200
    return sorted(u["userId"] for u in reply.body["items"])


@pytest.fixture
def earlier_users(tables):
    for n in range(7):
        written_before_the_look_ups(tables, f"p-{n}", f"Ava Patel{'abcdefg'[n]}")
    written_before_the_look_ups(tables, "p-noname", None)
    written_before_the_look_ups(tables, "s-staff", "Ava Staff", role="admin")
    return tables


def deploy_backfill(invoke, **kwargs):
    said = []
    totals = backfill.index_patient_names(lambda payload: invoke(FUNCTION, payload), say=said.append, **kwargs)
    return totals, said


def test_the_deploys_backfill_gives_every_earlier_patient_their_look_ups(invoke, earlier_users, monkeypatch, ddb_calls):
    # Given users written before the look-ups existed: the search cannot find them
    assert searched(invoke, "ava") == []
    # When the deploy invokes the backfill until it is done, a page of 2 users at a time, each
    # invocation stopping after its first page
    monkeypatch.setattr(name_backfill, "PAGE", 2)
    monkeypatch.setattr(name_backfill, "BUDGET_S", 0.0)
    ddb_calls.reset()
    totals, said = deploy_backfill(invoke)
    # Then every named patient is found, staff and the nameless are not, and nothing was scanned
    assert searched(invoke, "ava") == [f"p-{n}" for n in range(7)]
    assert searched(invoke, "staff") == []
    assert totals == {"invocations": 5, "checked": 9, "updated": 7}  # 4 pages of patients, 1 of staff
    assert "Scan" not in ddb_calls.operations
    assert said[-1] == "name look-ups: 9 users checked, 7 given their look-ups"
    # A later deploy reads one item; walking again finds nothing to write
    ddb_calls.reset()
    assert deploy_backfill(invoke)[0] == {"invocations": 1, "checked": 0, "updated": 0}
    assert dict(ddb_calls.operations) == {"GetItem": 1}
    assert deploy_backfill(invoke, again=True)[0]["updated"] == 0


def test_the_backfill_corrects_what_an_earlier_release_changed_behind_the_look_ups(invoke, earlier_users, tables):
    deploy_backfill(invoke)
    # An earlier release still running renames a patient and promotes another (no look-ups kept)
    aws.dynamodb().update_item(TableName=tables["UsersTable"], Key=dynamo.to_item({"userId": "p-0"}),
                               UpdateExpression="SET #n = :n", ExpressionAttributeNames={"#n": "name"},
                               ExpressionAttributeValues={":n": {"S": "Bo Quist"}})
    aws.dynamodb().update_item(TableName=tables["UsersTable"], Key=dynamo.to_item({"userId": "p-1"}),
                               UpdateExpression="SET #r = :r", ExpressionAttributeNames={"#r": "role"},
                               ExpressionAttributeValues={":r": {"S": "admin"}})
    # The search leaves out what no longer matches the profile, even before the walk
    assert searched(invoke, "ava") == [f"p-{n}" for n in range(2, 7)]
    totals, _ = deploy_backfill(invoke, again=True)
    assert totals["updated"] == 2
    assert searched(invoke, "quist") == ["p-0"] and searched(invoke, "ava") == [f"p-{n}" for n in range(2, 7)]
    entries = {i["entry"]["S"] for i in aws.dynamodb().scan(TableName=tables["PatientNamesTable"])["Items"]}
    assert not any(e.endswith("#p-1") for e in entries) and "ava#p-0" not in entries


def test_a_failed_invocation_stops_the_deploy_with_its_error_type_only():
    class Lambda:
        def invoke(self, **_):
            class Payload:
                def read(self):
                    return b'{"errorType": "InvocationFailed", "errorMessage": "an unexpected error"}'
            return {"FunctionError": "Unhandled", "Payload": Payload()}

    with pytest.raises(backfill.BackfillFailed, match=r"\(InvocationFailed\)"):
        backfill.index_patient_names(backfill.lambda_invoker(Lambda(), "fn"), say=lambda _: None)


def test_a_user_changed_during_the_walk_is_read_again(invoke, earlier_users, monkeypatch):
    # Given another writer changes p-3 between the walk's read and its write
    real = users_table.name_index_actions
    changed = []

    def racing(item):
        actions = real(item)
        if item["userId"] == "p-3" and not changed and actions:
            changed.append(users_table.update_profile("p-3", {"name": "Ava Racer"}))
        return actions

    monkeypatch.setattr(users_table, "name_index_actions", racing)
    deploy_backfill(invoke)
    # Then the look-ups are those of the name it now has
    assert searched(invoke, "racer") == ["p-3"] and "p-3" in searched(invoke, "ava")
