"""template.yaml, read as data: the data. The key that encrypts it, how tables are keyed, the
audit trail that can only grow, and the daily backups."""

import json
import re

import pytest

from clinic_tools import template
from tests.support.template_reading import as_list, statements, target

RESOURCES = template.load()["Resources"]
FUNCTIONS = template.functions()
TABLES = template.resources("AWS::DynamoDB::Table")
DATA_KEY_ARN = {"Fn::GetAtt": ["DataKey", "Arn"]}


def test_the_data_key_rotates_and_outlives_the_stack():
    key = RESOURCES["DataKey"]
    assert key["Type"] == "AWS::KMS::Key"
    assert key["Properties"]["EnableKeyRotation"] is True
    assert key["DeletionPolicy"] == key["UpdateReplacePolicy"] == "Retain"
    assert RESOURCES["DataKeyAlias"]["Properties"]["TargetKeyId"] == {"Ref": "DataKey"}


def test_the_key_policy_grants_services_only_under_conditions_and_nobody_else_everything():
    statements = RESOURCES["DataKey"]["Properties"]["KeyPolicy"]["Statement"]
    plain = [s for s in statements if "Fn::If" not in s]
    conditional = [s["Fn::If"][1] for s in statements if "Fn::If" in s]
    (admin,) = [s for s in plain if s["Action"] == "kms:*"]
    assert admin["Principal"] == {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}}
    for statement in plain + conditional:
        if statement is admin:
            continue
        assert "Condition" in statement, statement["Sid"]
        assert not any(a in ("kms:*", "kms:CreateGrant", "kms:PutKeyPolicy") for a in as_list(statement["Action"]))
    (logs,) = [s for s in plain if "logs." in json.dumps(s["Principal"].get("Service"))]
    assert "kms:EncryptionContext:aws:logs:arn" in logs["Condition"]["ArnLike"]
    (pipeline,) = conditional
    assert pipeline["Condition"]["StringEquals"]["kms:ViaService"] == {"Fn::Sub": "sqs.${AWS::Region}.amazonaws.com"}


# Tables whose items are not one user's records, each with the reason.
NOT_USER_PARTITIONED = {
    "AuthTable": "short-lived sign-in links and rate counters, keyed by a keyed hash of the address or IP",
    "RollupMarkersTable": "which users had readings on a day, keyed by day and shard (see test_template_rollups.py)",
    "PatientIdentifiersTable": "one item per MRN, keyed by it: the key makes an MRN belong to one patient",
    "PatientNamesTable": "staff search's look-up items, keyed by a word's first two letters and the word",
}


@pytest.mark.parametrize("logical_id", sorted(set(TABLES) - set(NOT_USER_PARTITIONED)))
def test_user_data_tables_are_partitioned_by_user(logical_id):
    keys = {k["KeyType"]: k["AttributeName"] for k in TABLES[logical_id]["Properties"]["KeySchema"]}
    assert keys["HASH"] == "userId"


def _audit_table_actions():
    for fid in FUNCTIONS:
        for statement in statements(fid):
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


def test_a_daily_backup_of_every_table_is_kept_35_days_in_an_encrypted_retained_vault():
    vault = RESOURCES["BackupVault"]
    assert vault["Properties"]["EncryptionKeyArn"] == DATA_KEY_ARN
    assert vault["DeletionPolicy"] == vault["UpdateReplacePolicy"] == "Retain"
    (rule,) = RESOURCES["BackupPlan"]["Properties"]["BackupPlan"]["BackupPlanRule"]
    assert rule["TargetBackupVault"] == {"Ref": "BackupVault"}
    assert re.fullmatch(r"cron\(\d+ \d+ \* \* \? \*\)", rule["ScheduleExpression"])  # once a day
    assert rule["Lifecycle"]["DeleteAfterDays"] == 35
    selection = RESOURCES["BackupSelection"]["Properties"]
    assert selection["BackupPlanId"] == {"Ref": "BackupPlan"}
    body = selection["BackupSelection"]
    assert {target(r) for r in body["Resources"]} == set(TABLES)
    role = RESOURCES[target(body["IamRoleArn"])]["Properties"]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "backup.amazonaws.com"}
    assert {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"} \
        in role["ManagedPolicyArns"]
