"""template.yaml, read as data: the rules every resource of a kind is held to, each checked once,
over every resource of that kind (so a resource added later is held to it too): runtime, log
groups, encryption, least privilege, where failures go, throttles and concurrency, alarms."""

import json
import re

import pytest
import yaml

from clinic_tools import template
from tests.support.template_reading import as_list, statements, target

TEMPLATE = template.load()
RESOURCES = TEMPLATE["Resources"]
FUNCTIONS = template.functions()
DATA_KEY_ARN = {"Fn::GetAtt": ["DataKey", "Arn"]}
DATA_KEY_REFS = ({"Ref": "DataKey"}, DATA_KEY_ARN)
ALARM_TOPIC = [{"Ref": "AlarmTopic"}]
API = RESOURCES["ClinicApi"]["Properties"]
API_FUNCTIONS = {fid: fn for fid, fn in FUNCTIONS.items()
                 if any(e["Type"] == "Api" for e in (fn.properties.get("Events") or {}).values())}
WRITE_ACTIONS = {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem",
                 "dynamodb:TransactWriteItems"}


def of_type(type_: str) -> dict[str, dict]:
    return template.resources(type_)


def all_identity_statements() -> list[tuple[str, dict]]:
    """Every identity-based statement this template writes: functions' Policies, roles' inline
    policies, standalone policies (key and queue policies are resource-based: not here)."""
    found = [(fid, s) for fid in FUNCTIONS for s in statements(fid)]
    for rid, res in of_type("AWS::IAM::Role").items():
        for policy in res["Properties"].get("Policies", []):
            found += [(rid, s) for s in policy["PolicyDocument"]["Statement"]]
    for rid, res in of_type("AWS::IAM::Policy").items():
        found += [(rid, s) for s in res["Properties"]["PolicyDocument"]["Statement"]]
    return found


class _UniqueKeyLoader(template.CfnLoader):
    pass


def _no_duplicates(loader, node, deep=False):
    keys = [loader.construct_object(k, deep=deep) for k, _ in node.value]
    duplicated = sorted({k for k in keys if keys.count(k) > 1})
    if duplicated:
        raise AssertionError(f"duplicate keys {duplicated} at line {node.start_mark.line + 1}")
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicates)


# ------------------------------------------------------------------ the template


def test_the_template_defines_every_key_once():
    # Branches that add the same resource in different places merge without a conflict and YAML
    # keeps the last silently; this keeps one of them from vanishing unnoticed.
    yaml.load(template.TEMPLATE.read_text(), Loader=_UniqueKeyLoader)


def test_lambda_runs_python312_on_arm64():
    globals_ = template.load()["Globals"]["Function"]
    assert (globals_["Runtime"], globals_["Architectures"]) == ("python3.12", ["arm64"])


@pytest.mark.parametrize("logical_id", sorted(API_FUNCTIONS))
def test_every_route_has_a_sample_event_for_tests_and_sam_local(logical_id):
    fn = API_FUNCTIONS[logical_id]
    area, action = fn.code_uri.parts[-2:]
    event = json.loads((template.ROOT / "events" / area / f"{action}.json").read_text())
    (api_event,) = [e["Properties"] for e in fn.properties["Events"].values() if e["Type"] == "Api"]
    assert (event["resource"], event["httpMethod"]) == (api_event["Path"], api_event["Method"].upper())


# ------------------------------------------------------------------ log groups


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_every_function_logs_to_its_own_group_with_retention(logical_id):
    group = FUNCTIONS[logical_id].properties["LoggingConfig"]["LogGroup"]["Ref"]
    resource = template.load()["Resources"][group]
    assert resource["Type"] == "AWS::Logs::LogGroup"
    assert "RetentionInDays" in resource["Properties"]
    users = [fid for fid, fn in FUNCTIONS.items() if fn.properties["LoggingConfig"]["LogGroup"]["Ref"] == group]
    assert users == [logical_id]


@pytest.mark.parametrize("logical_id", sorted(of_type("AWS::Logs::LogGroup")))
def test_every_log_group_is_encrypted_with_the_data_key_and_expires(logical_id):
    props = RESOURCES[logical_id]["Properties"]
    assert props["KmsKeyId"] == DATA_KEY_ARN  # CloudWatch Logs takes the key's ARN only
    assert props["RetentionInDays"] == {"Ref": "LogRetentionDays"}


# ------------------------------------------------------------------ encryption


@pytest.mark.parametrize("logical_id", sorted(of_type("AWS::DynamoDB::Table")))
def test_every_table_is_on_demand_encrypted_with_the_data_key_recoverable_and_retained(logical_id):
    resource = RESOURCES[logical_id]
    props = resource["Properties"]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["SSESpecification"] == {"SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": DATA_KEY_ARN}
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["DeletionProtectionEnabled"] is True
    assert resource["DeletionPolicy"] == resource["UpdateReplacePolicy"] == "Retain"


@pytest.mark.parametrize("logical_id", sorted(of_type("AWS::SQS::Queue")))
def test_every_queue_is_encrypted_with_the_data_key(logical_id):
    props = RESOURCES[logical_id]["Properties"]
    assert props["KmsMasterKeyId"] in DATA_KEY_REFS
    assert "SqsManagedSseEnabled" not in props


@pytest.mark.parametrize("logical_id", sorted(of_type("AWS::SNS::Topic")))
def test_every_topic_is_encrypted_with_the_data_key(logical_id):
    assert RESOURCES[logical_id]["Properties"]["KmsMasterKeyId"] in DATA_KEY_REFS


@pytest.mark.parametrize("logical_id", sorted(of_type("AWS::SecretsManager::Secret")))
def test_every_secret_is_encrypted_with_the_data_key_and_retained(logical_id):
    resource = RESOURCES[logical_id]
    assert resource["Properties"]["KmsKeyId"] in DATA_KEY_REFS
    assert resource["DeletionPolicy"] == resource["UpdateReplacePolicy"] == "Retain"


ENCRYPTED_TYPES = ("AWS::DynamoDB::Table", "AWS::SQS::Queue", "AWS::SecretsManager::Secret", "AWS::SNS::Topic")


ENCRYPTED = {lid for t in ENCRYPTED_TYPES for lid in of_type(t)}


KMS_ACTIONS = {"kms:Decrypt", "kms:GenerateDataKey"}


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_functions_that_touch_encrypted_resources_may_use_the_data_key_and_no_other(logical_id):
    own = statements(logical_id)
    touched = {target(r) for s in own for r in as_list(s["Resource"])} & ENCRYPTED
    kms = [s for s in own if any(a.startswith("kms:") for a in as_list(s["Action"]))]
    for statement in kms:
        assert set(as_list(statement["Action"])) <= KMS_ACTIONS
        assert as_list(statement["Resource"]) == [DATA_KEY_ARN]
    granted = {a for s in kms for a in as_list(s["Action"])}
    if touched:
        assert "kms:Decrypt" in granted, f"{logical_id} reads encrypted resources"
    else:
        assert not kms, f"{logical_id} touches nothing encrypted"
    sends = any("sqs:SendMessage" in as_list(s["Action"]) for s in own)
    if sends:
        assert "kms:GenerateDataKey" in granted, f"{logical_id} sends to an encrypted queue"


def test_every_role_that_sends_to_a_queue_may_encrypt_for_it():
    for owner, statement in all_identity_statements():
        if "sqs:SendMessage" in as_list(statement["Action"]):
            peers = [s for o, s in all_identity_statements() if o == owner]
            assert any("kms:GenerateDataKey" in as_list(s["Action"]) and s["Resource"] == DATA_KEY_ARN
                       for s in peers), owner


# ------------------------------------------------------------------ least privilege


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_policies_name_resources_and_never_scan(logical_id):
    for statement in statements(logical_id):
        assert statement["Effect"] == "Allow", f"{logical_id}: only Allow statements"
        actions = as_list(statement["Action"])
        assert not any("*" in a for a in actions), f"{logical_id}: wildcard action"
        assert "dynamodb:Scan" not in actions
        assert all(r != "*" for r in as_list(statement["Resource"])), f"{logical_id}: wildcard resource"


@pytest.mark.parametrize("logical_id", sorted(fid for fid, fn in API_FUNCTIONS.items()
                                               if all(e["Properties"]["Method"] == "get"
                                                      for e in fn.properties["Events"].values())))
def test_read_routes_write_nothing_but_audit_records(logical_id):
    # A staff read of patients' data is audited (PutItem, or BatchWriteItem for a list of patients,
    # on the Audit table); GET /me creates the caller's profile on the first call, with its name
    # look-ups of staff search in the same transaction. Nothing else a GET route does may write.
    allowed = {("dynamodb:PutItem", "AuditTable"), ("dynamodb:BatchWriteItem", "AuditTable")} | (
        {("dynamodb:PutItem", "UsersTable"), ("dynamodb:PutItem", "PatientNamesTable")}
        if logical_id == "GetProfileFunction" else set())
    for statement in statements(logical_id):
        writes = WRITE_ACTIONS & set(as_list(statement["Action"]))
        tables = {
            r["Fn::GetAtt"][0] for r in as_list(statement["Resource"]) if isinstance(r, dict) and "Fn::GetAtt" in r
        }
        assert {(w, t) for w in writes for t in tables} <= allowed, f"{logical_id} may write"


# Actions AWS does not let a policy scope to a resource, each allowed only with its condition.
UNSCOPABLE = {
    "xray:PutTraceSegments": None,
    "xray:PutTelemetryRecords": None,
    "cloudwatch:PutMetricData": "cloudwatch:namespace",
}


def test_no_identity_statement_allows_every_resource_but_the_documented_unscopable_actions():
    for owner, statement in all_identity_statements():
        if "*" not in as_list(statement["Resource"]):
            continue
        for action in as_list(statement["Action"]):
            assert action in UNSCOPABLE, f"{owner}: {action} on every resource"
            if UNSCOPABLE[action]:
                assert UNSCOPABLE[action] in json.dumps(statement.get("Condition", {})), owner


# Resources outside this template a function may name, each with why.
EXTERNAL = {
    "RequestEmailLinkFunction": "the SES identity sign-in links are sent from (a parameter)",
    "SendAppointmentRemindersFunction": "the same SES identity, for appointment reminders",
}


def named_index(resource) -> tuple[str, str] | None:
    """(table, index) for !Sub "${Table.Arn}/index/<name>"."""
    if isinstance(resource, dict) and isinstance(resource.get("Fn::Sub"), str):
        match = re.fullmatch(r"\$\{(\w+)\.Arn\}/index/(.+)", resource["Fn::Sub"])
        return (match.group(1), match.group(2)) if match else None
    return None


def sub_of_this_template(resource) -> bool:
    """An ARN built with !Sub around one of this template's resources (e.g. an API's stage path)."""
    names = re.findall(r"\$\{(\w+)\}", resource.get("Fn::Sub", "")) if isinstance(resource, dict) else []
    return any(name in RESOURCES for name in names)


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_function_policies_name_this_templates_resources_and_existing_indexes_only(logical_id):
    for statement in statements(logical_id):
        for resource in as_list(statement["Resource"]):
            index = named_index(resource)
            if index:
                table, name = index
                indexes = RESOURCES[table]["Properties"].get("GlobalSecondaryIndexes", []) + \
                    RESOURCES[table]["Properties"].get("LocalSecondaryIndexes", [])
                assert name in {i["IndexName"] for i in indexes}, f"{logical_id}: {table}/index/{name}"
            elif target(resource) in RESOURCES or sub_of_this_template(resource):
                continue
            else:
                assert logical_id in EXTERNAL, f"{logical_id}: {resource}"


def test_no_identity_statement_allows_every_action_of_a_service():
    for owner, statement in all_identity_statements():
        assert not any("*" in a for a in as_list(statement["Action"])), f"{owner}: a wildcard action"


def test_no_function_uses_an_event_type_that_brings_a_broad_managed_policy():
    # SAM attaches AWSLambdaSQSQueueExecutionRole (and the like) for these: actions on "*"
    for logical_id, fn in template.functions().items():
        kinds = {e["Type"] for e in (fn.properties.get("Events") or {}).values()}
        assert kinds.isdisjoint({"SQS", "Kinesis", "DynamoDB", "MQ", "MSK"}), logical_id


# ------------------------------------------------------------------ failures go somewhere


def dead_letter_queues() -> set[str]:
    found = {target(q["Properties"]["RedrivePolicy"]["deadLetterTargetArn"])
             for q in of_type("AWS::SQS::Queue").values() if "RedrivePolicy" in q["Properties"]}
    found |= {target(s["Properties"]["Target"]["DeadLetterConfig"]["Arn"])
              for s in of_type("AWS::Scheduler::Schedule").values()}
    found |= {target(fn.properties["EventInvokeConfig"]["DestinationConfig"]["OnFailure"]["Destination"])
              for fn in FUNCTIONS.values() if "EventInvokeConfig" in fn.properties}
    found |= {target(m["Properties"]["DestinationConfig"]["OnFailure"]["Destination"])
              for m in of_type("AWS::Lambda::EventSourceMapping").values() if "DestinationConfig" in m["Properties"]}
    return found


@pytest.mark.parametrize("logical_id", sorted(of_type("AWS::Lambda::EventSourceMapping")))
def test_every_event_source_keeps_its_failures_in_a_queue(logical_id):
    """An SQS source redrives to a dead-letter queue; a stream source (which has no redrive) sends
    the failed batch's position to an on-failure queue after bounded retries."""
    props = RESOURCES[logical_id]["Properties"]
    source = RESOURCES[target(props["EventSourceArn"])]
    if source["Type"] == "AWS::SQS::Queue":
        failed_to = target(source["Properties"]["RedrivePolicy"]["deadLetterTargetArn"])
    else:
        assert source["Type"] == "AWS::DynamoDB::Table" and props["EventSourceArn"]["Fn::GetAtt"][1] == "StreamArn"
        assert 0 <= props["MaximumRetryAttempts"] <= 10 and props["BisectBatchOnFunctionError"] is True
        failed_to = target(props["DestinationConfig"]["OnFailure"]["Destination"])
    assert RESOURCES[failed_to]["Type"] == "AWS::SQS::Queue"
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


@pytest.mark.parametrize("logical_id", sorted(of_type("AWS::Scheduler::Schedule")))
def test_every_schedule_retries_then_dead_letters(logical_id):
    target_ = RESOURCES[logical_id]["Properties"]["Target"]
    assert target_["RetryPolicy"]["MaximumRetryAttempts"] > 0
    assert RESOURCES[target(target_["DeadLetterConfig"]["Arn"])]["Type"] == "AWS::SQS::Queue"


def asynchronously_invoked() -> set[str]:
    """Functions something invokes asynchronously: a schedule's target, or a function a principal
    other than API Gateway or Cognito (which invoke synchronously) may invoke."""
    found = {target(s["Properties"]["Target"]["Arn"]) for s in of_type("AWS::Scheduler::Schedule").values()}
    for permission in of_type("AWS::Lambda::Permission").values():
        principal = permission["Properties"]["Principal"]
        if principal not in ("cognito-idp.amazonaws.com", "apigateway.amazonaws.com"):
            found.add(target(permission["Properties"]["FunctionName"]))
    return found


@pytest.mark.parametrize("logical_id", sorted(asynchronously_invoked()))
def test_every_asynchronously_invoked_function_keeps_failures_in_a_queue_it_may_send_to(logical_id):
    config = FUNCTIONS[logical_id].properties["EventInvokeConfig"]
    destination = config["DestinationConfig"]["OnFailure"]
    assert destination["Type"] == "SQS"
    assert any("sqs:SendMessage" in as_list(s["Action"]) and destination["Destination"] in as_list(s["Resource"])
               for s in statements(logical_id))


# ------------------------------------------------------------------ throttles and concurrency


def routes() -> list[tuple[str, str]]:
    return [(e["Properties"]["Path"], e["Properties"]["Method"].upper())
            for fn in FUNCTIONS.values() for e in (fn.properties.get("Events") or {}).values() if e["Type"] == "Api"]


@pytest.mark.parametrize(("path", "method"), sorted(r for r in routes() if r[1] != "GET"))
def test_every_write_route_has_a_throttle_tighter_than_the_stage_default(path, method):
    settings = API["MethodSettings"]
    (default,) = [s for s in settings if s["ResourcePath"] == "/*"]
    encoded = path.replace("/", "~1")
    (own,) = [s for s in settings if s["ResourcePath"] == "/" + encoded and s["HttpMethod"] == method]
    assert own["ThrottlingRateLimit"] < default["ThrottlingRateLimit"]
    assert own["ThrottlingBurstLimit"] < default["ThrottlingBurstLimit"]


def test_every_method_setting_names_a_real_route():
    known = {("/" + p.replace("/", "~1"), m) for p, m in routes()} | {("/*", "*")}
    for s in API["MethodSettings"]:
        assert (s["ResourcePath"], s["HttpMethod"]) in known


def workers() -> set[str]:
    fed = {target(m["Properties"]["FunctionName"]) for m in of_type("AWS::Lambda::EventSourceMapping").values()}
    return fed | asynchronously_invoked()


@pytest.mark.parametrize("logical_id", sorted(workers()))
def test_workers_have_reserved_concurrency_at_least_their_event_source_maximum(logical_id):
    reserved = FUNCTIONS[logical_id].properties["ReservedConcurrentExecutions"]
    assert 1 <= reserved <= 50
    for mapping in of_type("AWS::Lambda::EventSourceMapping").values():
        if target(mapping["Properties"]["FunctionName"]) == logical_id:
            maximum = mapping["Properties"].get("ScalingConfig", {}).get("MaximumConcurrency")
            assert maximum is None or reserved >= maximum


def test_reserved_concurrency_leaves_the_api_most_of_the_default_account_pool():
    reserved = sum(fn.properties.get("ReservedConcurrentExecutions", 0) for fn in FUNCTIONS.values())
    assert reserved <= 100  # of the default 1,000; Lambda keeps 100 unreserved at least


# ------------------------------------------------------------------ alarms


ALARMS = of_type("AWS::CloudWatch::Alarm")


@pytest.mark.parametrize("logical_id", sorted(ALARMS))
def test_every_alarm_notifies_the_alarm_topic_both_ways(logical_id):
    props = ALARMS[logical_id]["Properties"]
    assert props["AlarmActions"] == ALARM_TOPIC and props["OKActions"] == ALARM_TOPIC
    assert props["AlarmDescription"].strip()


@pytest.mark.parametrize("queue", sorted(dead_letter_queues()))
def test_every_dead_letter_queue_alarms_on_its_first_message(queue):
    dimensions = [{"Name": "QueueName", "Value": {"Fn::GetAtt": [queue, "QueueName"]}}]
    assert any(a["Properties"].get("MetricName") == "ApproximateNumberOfMessagesVisible"
               and a["Properties"]["Dimensions"] == dimensions
               and a["Properties"]["Threshold"] == 0 and a["Properties"]["ComparisonOperator"] == "GreaterThanThreshold"
               for a in ALARMS.values()), queue


@pytest.mark.parametrize("logical_id", sorted(ALARMS))
def test_every_alarm_is_named_for_what_it_watches_not_numbered(logical_id):
    assert logical_id.endswith("Alarm") and not re.search(r"\d", logical_id), logical_id


def functions_in_alarms(metric: str) -> list[str]:
    found = []
    for alarm in ALARMS.values():
        for query in alarm["Properties"].get("Metrics", []):
            stat = query.get("MetricStat", {}).get("Metric", {})
            if stat.get("Namespace") == "AWS/Lambda" and stat.get("MetricName") == metric:
                (dimension,) = stat["Dimensions"]
                found.append(target(dimension["Value"]))
    return found


@pytest.mark.parametrize("metric", ["Errors", "Throttles"])
def test_every_function_is_in_exactly_one_alarm_on_its_errors_and_throttles(metric):
    in_alarms = functions_in_alarms(metric)
    assert sorted(in_alarms) == sorted(FUNCTIONS)


def test_metric_math_alarms_sum_their_metrics_and_stay_within_cloudwatchs_limit():
    for logical_id, alarm in ALARMS.items():
        queries = alarm["Properties"].get("Metrics")
        if not queries:
            continue
        assert len([q for q in queries if "MetricStat" in q]) <= 10, logical_id
        (returned,) = [q for q in queries if q["ReturnData"]]
        assert returned["Expression"] == "SUM(METRICS())"


def test_the_dashboard_shows_api_lambda_every_dead_letter_queue_ingest_and_drift():
    body = RESOURCES["OperationsDashboard"]["Properties"]["DashboardBody"]["Fn::Sub"][0]
    for queue in dead_letter_queues():
        assert "${" + queue + ".QueueName}" in body
    for metric in ("Latency", "5XXError", "Errors", "Throttles", "ReadingsAccepted", "SummaryItemsRepaired"):
        assert f'"{metric}' in body or f'\\"{metric}\\"' in body, metric
    # the body is valid JSON once CloudFormation substitutes the variables
    json.loads(re.sub(r"\$\{[^}]+\}", "x", body))


def test_every_output_is_an_output_not_a_resource_in_the_wrong_section():
    # A fragment's resource written after its Outputs would land there: sam validate refuses it
    # only at lint time, and no resource rule above would ever see it.
    allowed = {"Description", "Value", "Export", "Condition"}
    misplaced = {name: sorted(set(body) - allowed) for name, body in TEMPLATE["Outputs"].items()
                 if set(body) - allowed or "Value" not in body}
    assert misplaced == {}
