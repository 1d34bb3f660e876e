"""The test-only moto shim changes how fast moto answers a Query, never what it answers."""

from clinic import aws
from clinic.repositories import dynamo
from tests.support import env
from tests.support.moto_speed import partition_local_queries


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
