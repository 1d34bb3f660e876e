"""template.yaml, read as data: the promises a security reviewer checks first."""

import json

import pytest

from clinic_local import template

FUNCTIONS = template.functions()
TABLES = template.resources("AWS::DynamoDB::Table")
API_FUNCTIONS = {fid: fn for fid, fn in FUNCTIONS.items()
                 if any(e["Type"] == "Api" for e in (fn.properties.get("Events") or {}).values())}
WRITE_ACTIONS = {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem",
                 "dynamodb:TransactWriteItems"}


def statements(fn):
    for policy in fn.properties.get("Policies", []):
        assert isinstance(policy, dict) and "Statement" in policy, f"{fn.logical_id}: inline statements only"
        yield from policy["Statement"]


def as_list(value):
    return value if isinstance(value, list) else [value]


def test_lambda_runs_python312_on_arm64():
    globals_ = template.load()["Globals"]["Function"]
    assert (globals_["Runtime"], globals_["Architectures"]) == ("python3.12", ["arm64"])


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_every_function_logs_to_its_own_group_with_retention(logical_id):
    group = FUNCTIONS[logical_id].properties["LoggingConfig"]["LogGroup"]["Ref"]
    resource = template.load()["Resources"][group]
    assert resource["Type"] == "AWS::Logs::LogGroup"
    assert "RetentionInDays" in resource["Properties"]
    users = [fid for fid, fn in FUNCTIONS.items() if fn.properties["LoggingConfig"]["LogGroup"]["Ref"] == group]
    assert users == [logical_id]


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_policies_name_resources_and_never_scan(logical_id):
    for statement in statements(FUNCTIONS[logical_id]):
        actions = as_list(statement["Action"])
        assert not any("*" in a for a in actions), f"{logical_id}: wildcard action"
        assert "dynamodb:Scan" not in actions
        assert all(r != "*" for r in as_list(statement["Resource"])), f"{logical_id}: wildcard resource"


@pytest.mark.parametrize("logical_id", sorted(fid for fid, fn in API_FUNCTIONS.items()
                                               if all(e["Properties"]["Method"] == "get"
                                                      for e in fn.properties["Events"].values())))
def test_read_routes_write_nothing_but_audit_records(logical_id):
    # A staff read of patients' data is audited (PutItem, or BatchWriteItem for a list of patients,
    # on the Audit table); GET /me creates the caller's profile on the first call. Nothing else a
    # GET route does may write.
    allowed = {("dynamodb:PutItem", "AuditTable"), ("dynamodb:BatchWriteItem", "AuditTable")} | (
        {("dynamodb:PutItem", "UsersTable")}
                                                      if logical_id == "GetProfileFunction" else set())
    for statement in statements(FUNCTIONS[logical_id]):
        writes = WRITE_ACTIONS & set(as_list(statement["Action"]))
        tables = {
            r["Fn::GetAtt"][0] for r in as_list(statement["Resource"]) if isinstance(r, dict) and "Fn::GetAtt" in r
        }
        assert {(w, t) for w in writes for t in tables} <= allowed, f"{logical_id} may write"


@pytest.mark.parametrize("logical_id", sorted(API_FUNCTIONS))
def test_every_route_has_a_sample_event_for_tests_and_sam_local(logical_id):
    fn = API_FUNCTIONS[logical_id]
    area, action = fn.code_uri.parts[-2:]
    event = json.loads((template.ROOT / "events" / area / f"{action}.json").read_text())
    (api_event,) = [e["Properties"] for e in fn.properties["Events"].values() if e["Type"] == "Api"]
    assert (event["resource"], event["httpMethod"]) == (api_event["Path"], api_event["Method"].upper())


@pytest.mark.parametrize("logical_id", sorted(TABLES))
def test_tables_are_on_demand_encrypted_recoverable_and_retained(logical_id):
    resource = TABLES[logical_id]
    props = resource["Properties"]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert props["SSESpecification"]["SSEEnabled"] is True
    assert props["DeletionProtectionEnabled"] is True
    assert resource["DeletionPolicy"] == resource["UpdateReplacePolicy"] == "Retain"


# Tables whose items are not one user's records, each with the reason.
NOT_USER_PARTITIONED = {
    "AuthTable": "short-lived sign-in links and rate counters, keyed by a keyed hash of the address or IP",
    "RollupMarkersTable": "which users had readings on a day, keyed by day and shard (see test_rollups_template.py)",
}


@pytest.mark.parametrize("logical_id", sorted(set(TABLES) - set(NOT_USER_PARTITIONED)))
def test_user_data_tables_are_partitioned_by_user(logical_id):
    keys = {k["KeyType"]: k["AttributeName"] for k in TABLES[logical_id]["Properties"]["KeySchema"]}
    assert keys["HASH"] == "userId"


def _audit_table_actions():
    for fid, fn in FUNCTIONS.items():
        for statement in statements(fn):
            resources = [r for r in as_list(statement["Resource"]) if "AuditTable" in json.dumps(r)]
            if resources:
                yield fid, set(as_list(statement["Action"])), resources


def test_audit_records_can_only_be_added_never_changed_or_removed():
    # Integrity of the audit trail: functions may add records (PutItem, BatchWriteItem of puts,
    # or a Put inside the audited change's transaction) and query them; none may update or delete
    # (account erasure keeps the Audit table: clinic.services.accounts.NOT_ERASED_TABLE_IDS).
    seen = set()
    for fid, actions, _ in _audit_table_actions():
        assert actions <= {"dynamodb:PutItem", "dynamodb:BatchWriteItem", "dynamodb:Query", "dynamodb:GetItem",
                           "dynamodb:ConditionCheckItem"}, (fid, actions)
        seen |= actions
    assert "dynamodb:PutItem" in seen and "dynamodb:Query" in seen
