"""The test-only moto shims change how fast moto answers a Query or a transaction, never what it
answers or stores."""

import pytest

from clinic import aws
from clinic.repositories import dynamo
from clinic_tools import template
from tests.support import env
from tests.support.moto_speed import item_local_transactions, partition_local_queries


def test_queries_answer_the_same_with_the_partition_local_shim(tables):
    table = env.table_names()["BiomarkerSummaryTable"]
    dynamo.batch_write(table, ({"userId": f"u{u}", "sk": f"latest#{n:02d}", "value": u * n}
                               for u in range(30) for n in range(12)))
    client = aws.dynamodb()
    requests = [
        {"KeyConditionExpression": "userId = :u", "ExpressionAttributeValues": {":u": {"S": "u7"}}},
        {"KeyConditionExpression": "userId = :u AND sk BETWEEN :a AND :b",
         "ExpressionAttributeValues": {":u": {"S": "u7"}, ":a": {"S": "latest#03"}, ":b": {"S": "latest#08"}},
         "ScanIndexForward": False, "Limit": 3},
        {"KeyConditionExpression": "userId = :u", "ExpressionAttributeValues": {":u": {"S": "nobody"}}},
    ]
    plain = [client.query(TableName=table, **r) for r in requests]
    plain_next = client.query(TableName=table, ExclusiveStartKey=plain[1]["LastEvaluatedKey"], **requests[1])
    with partition_local_queries():
        shimmed = [client.query(TableName=table, **r) for r in requests]
        paged = client.query(TableName=table, ExclusiveStartKey=plain[1]["LastEvaluatedKey"], **requests[1])
    keep = ("Items", "Count", "LastEvaluatedKey")
    assert [{k: p.get(k) for k in keep} for p in plain] == [{k: s.get(k) for k in keep} for s in shimmed]
    assert paged["Items"] == plain_next["Items"]
    assert [i["sk"]["S"] for i in paged["Items"]] == ["latest#05", "latest#04", "latest#03"]



def test_index_queries_answer_the_same_with_the_partition_local_shim(tables):
    names = env.table_names()
    biomarkers, users = names["BiomarkersTable"], names["UsersTable"]
    dynamo.batch_write(biomarkers, ({"userId": f"u{u}", "sk": f"{n:04d}", "nameSk": f"{'AB'[n % 2]}#{n:04d}"}
                                    for u in range(20) for n in range(10)))
    dynamo.batch_write(users, ({"userId": f"u{u}", "role": "patient" if u % 3 else "admin", "listSk": f"{u:04d}"}
                               for u in range(20)))
    client = aws.dynamodb()
    requests = [
        (biomarkers, {"IndexName": "ByName", "KeyConditionExpression": "userId = :u AND begins_with(nameSk, :n)",
                      "ExpressionAttributeValues": {":u": {"S": "u4"}, ":n": {"S": "B#"}}, "Limit": 3}),
        (biomarkers, {"IndexName": "ByName", "KeyConditionExpression": "userId = :u",
                      "ExpressionAttributeValues": {":u": {"S": "nobody"}}}),
        (users, {"IndexName": "ByRole", "KeyConditionExpression": "#r = :r", "ExpressionAttributeNames": {"#r": "role"},
                 "ExpressionAttributeValues": {":r": {"S": "admin"}}, "ScanIndexForward": False}),
    ]
    plain = [client.query(TableName=table, **r) for table, r in requests]
    with partition_local_queries():
        shimmed = [client.query(TableName=table, **r) for table, r in requests]
    keep = ("Items", "Count", "LastEvaluatedKey")
    assert [{k: p.get(k) for k in keep} for p in plain] == [{k: s.get(k) for k in keep} for s in shimmed]
    assert [i["nameSk"]["S"] for i in shimmed[0]["Items"]] == ["B#0001", "B#0003", "B#0005"]
    assert shimmed[2]["Count"] == 7

def _transactions_then_state() -> tuple[dict[str, list], int]:
    """Two transactions on the summary table (a stream) and the users table: one that commits,
    one whose last condition fails after its first actions were applied; then every item and
    the number of stream records."""
    from botocore.exceptions import ClientError
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    names = env.table_names()
    summary, users = names["BiomarkerSummaryTable"], names["UsersTable"]
    client = aws.dynamodb()
    for name in (summary, users):
        client.delete_table(TableName=name)
    for logical_id, args in template.table_definitions(env.TABLE_PREFIX).items():
        if logical_id in ("BiomarkerSummaryTable", "UsersTable"):
            client.create_table(**{k: v for k, v in args.items() if not k.startswith("_")})
    client.put_item(TableName=summary, Item={"userId": {"S": "u1"}, "sk": {"S": "stats"}, "n": {"N": "1"}})
    client.put_item(TableName=users, Item={"userId": {"S": "u1"}, "role": {"S": "patient"}})
    client.transact_write_items(TransactItems=[
        {"Update": {"TableName": summary, "Key": {"userId": {"S": "u1"}, "sk": {"S": "stats"}},
                    "UpdateExpression": "SET n = :n", "ExpressionAttributeValues": {":n": {"N": "2"}}}},
        {"Put": {"TableName": summary, "Item": {"userId": {"S": "u1"}, "sk": {"S": "latest#a"}}}},
    ])
    with pytest.raises(ClientError, match="TransactionCanceled"):
        client.transact_write_items(TransactItems=[
            {"Put": {"TableName": summary, "Item": {"userId": {"S": "u2"}, "sk": {"S": "stats"}}}},
            {"Delete": {"TableName": summary, "Key": {"userId": {"S": "u1"}, "sk": {"S": "latest#a"}}}},
            {"Update": {"TableName": summary, "Key": {"userId": {"S": "u1"}, "sk": {"S": "stats"}},
                        "UpdateExpression": "SET n = :n", "ExpressionAttributeValues": {":n": {"N": "3"}}}},
            {"Put": {"TableName": users, "Item": {"userId": {"S": "u1"}, "role": {"S": "admin"}},
                     "ConditionExpression": "attribute_not_exists(userId)"}},
        ])
    items = {name: sorted(client.scan(TableName=name)["Items"], key=str) for name in (summary, users)}
    shard = dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].get_table(summary).stream_shard
    return items, len(shard.items)


def test_transactions_commit_and_roll_back_the_same_with_item_local_backups(tables):
    # Given what moto does on its own: the first transaction applied, the second rolled back
    plain = _transactions_then_state()
    summary = plain[0][env.table_names()["BiomarkerSummaryTable"]]
    assert [(i["userId"]["S"], i["sk"]["S"], i.get("n")) for i in summary] == [("u1", "latest#a", None),
                                                                              ("u1", "stats", {"N": "2"})]
    # When the same transactions run with item-local backups
    with item_local_transactions():
        shimmed = _transactions_then_state()
    # Then every item and the stream are as moto left them
    assert shimmed == plain
