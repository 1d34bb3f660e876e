"""template.yaml, read as data: the production-hardening rules. Each rule runs over every resource
of its type, so a resource added later is held to it too."""

import json
import re
from pathlib import Path

import pytest

from clinic_local import template

TEMPLATE = template.load()
RESOURCES = TEMPLATE["Resources"]
FUNCTIONS = template.functions()
DATA_KEY_ARN = {"Fn::GetAtt": ["DataKey", "Arn"]}
DATA_KEY_REFS = ({"Ref": "DataKey"}, DATA_KEY_ARN)
ALARM_TOPIC = [{"Ref": "AlarmTopic"}]


def of_type(type_: str) -> dict[str, dict]:
    return template.resources(type_)


def as_list(value):
    return value if isinstance(value, list) else [value]


def target(value) -> str | None:
    """The logical id named by !Ref X, !GetAtt X.Attr or !Sub "${X.Arn}/..."."""
    if isinstance(value, dict) and "Ref" in value:
        return value["Ref"]
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        return value["Fn::GetAtt"][0]
    if isinstance(value, dict) and "Fn::Sub" in value and isinstance(value["Fn::Sub"], str):
        match = re.match(r"^\$\{(\w+)\.Arn\}", value["Fn::Sub"])
        return match.group(1) if match else None
    return None


def function_statements(logical_id: str) -> list[dict]:
    return [s for p in FUNCTIONS[logical_id].properties.get("Policies", []) for s in p["Statement"]]


def all_identity_statements() -> list[tuple[str, dict]]:
    """Every identity-based statement this template writes: functions' Policies, roles' inline
    policies, standalone policies (key and queue policies are resource-based: not here)."""
    found = [(fid, s) for fid in FUNCTIONS for s in function_statements(fid)]
    for rid, res in of_type("AWS::IAM::Role").items():
        for policy in res["Properties"].get("Policies", []):
            found += [(rid, s) for s in policy["PolicyDocument"]["Statement"]]
    for rid, res in of_type("AWS::IAM::Policy").items():
        found += [(rid, s) for s in res["Properties"]["PolicyDocument"]["Statement"]]
    return found


# ------------------------------------------------------------------ encryption and recovery

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


@pytest.mark.parametrize("logical_id", sorted(of_type("AWS::DynamoDB::Table")))
def test_every_table_is_encrypted_with_the_data_key_recoverable_and_retained(logical_id):
    resource = RESOURCES[logical_id]
    props = resource["Properties"]
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


@pytest.mark.parametrize("logical_id", sorted(of_type("AWS::Logs::LogGroup")))
def test_every_log_group_is_encrypted_with_the_data_key_and_expires(logical_id):
    props = RESOURCES[logical_id]["Properties"]
    assert props["KmsKeyId"] == DATA_KEY_ARN  # CloudWatch Logs takes the key's ARN only
    assert props["RetentionInDays"] == {"Ref": "LogRetentionDays"}


def test_the_access_log_group_is_retained_as_an_audit_record():
    resource = RESOURCES["ApiAccessLogGroup"]
    assert resource["DeletionPolicy"] == resource["UpdateReplacePolicy"] == "Retain"


ENCRYPTED_TYPES = ("AWS::DynamoDB::Table", "AWS::SQS::Queue", "AWS::SecretsManager::Secret", "AWS::SNS::Topic")
ENCRYPTED = {lid for t in ENCRYPTED_TYPES for lid in of_type(t)}
KMS_ACTIONS = {"kms:Decrypt", "kms:GenerateDataKey"}


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_functions_that_touch_encrypted_resources_may_use_the_data_key_and_no_other(logical_id):
    statements = function_statements(logical_id)
    touched = {target(r) for s in statements for r in as_list(s["Resource"])} & ENCRYPTED
    kms = [s for s in statements if any(a.startswith("kms:") for a in as_list(s["Action"]))]
    for statement in kms:
        assert set(as_list(statement["Action"])) <= KMS_ACTIONS
        assert as_list(statement["Resource"]) == [DATA_KEY_ARN]
    granted = {a for s in kms for a in as_list(s["Action"])}
    if touched:
        assert "kms:Decrypt" in granted, f"{logical_id} reads encrypted resources"
    else:
        assert not kms, f"{logical_id} touches nothing encrypted"
    sends = any("sqs:SendMessage" in as_list(s["Action"]) for s in statements)
    if sends:
        assert "kms:GenerateDataKey" in granted, f"{logical_id} sends to an encrypted queue"


def test_every_role_that_sends_to_a_queue_may_encrypt_for_it():
    for owner, statement in all_identity_statements():
        if "sqs:SendMessage" in as_list(statement["Action"]):
            peers = [s for o, s in all_identity_statements() if o == owner]
            assert any("kms:GenerateDataKey" in as_list(s["Action"]) and s["Resource"] == DATA_KEY_ARN
                       for s in peers), owner


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
    assert {target(r) for r in body["Resources"]} == set(of_type("AWS::DynamoDB::Table"))
    role = RESOURCES[target(body["IamRoleArn"])]["Properties"]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "backup.amazonaws.com"}
    assert {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"} \
        in role["ManagedPolicyArns"]


# ------------------------------------------------------------------ least privilege

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
    for statement in function_statements(logical_id):
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
        assert not any(a == "*" or a.endswith(":*") for a in as_list(statement["Action"])), owner


# ------------------------------------------------------------------ API edge

API = RESOURCES["ClinicApi"]["Properties"]
# $context fields that carry no PHI: ids, the caller's sub, the route template, outcome, timings.
SAFE_CONTEXT = {
    "requestId", "identity.sourceIp", "authorizer.claims.sub", "requestTime", "requestTimeEpoch", "httpMethod",
    "resourcePath", "status", "responseLength", "integrationLatency", "responseLatency", "wafResponseCode",
    "error.responseType", "xrayTraceId", "protocol", "stage", "apiId",
}


def test_access_logs_are_json_lines_of_phi_free_context_fields_only():
    setting = API["AccessLogSetting"]
    assert setting["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogGroup", "Arn"]}
    fields = json.loads(setting["Format"])
    assert {"requestId", "status", "resourcePath", "httpMethod"} <= set(fields)
    for name, value in fields.items():
        match = re.fullmatch(r"\$context\.([A-Za-z.]+)", value)
        assert match and match.group(1) in SAFE_CONTEXT, f"{name}: {value}"


def test_the_stage_traces_keeps_no_cache_and_never_logs_request_data():
    assert API["TracingEnabled"] is True
    assert API["CacheClusterEnabled"] is False
    settings = API["MethodSettings"]
    assert any(s["ResourcePath"] == "/*" and s["HttpMethod"] == "*" for s in settings)
    for s in settings:
        assert s["DataTraceEnabled"] is False and s["LoggingLevel"] in ("OFF", "ERROR")
        assert s["MetricsEnabled"] is True and s["CachingEnabled"] is False
        assert 0 < s["ThrottlingRateLimit"] <= s["ThrottlingBurstLimit"]


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


def test_cors_allows_only_the_dashboards_origin():
    assert API["Cors"]["AllowOrigin"] == {"Fn::Sub": "'${AllowedOrigins}'"}
    parameter = TEMPLATE["Parameters"]["AllowedOrigins"]
    assert re.fullmatch(parameter["AllowedPattern"], parameter["Default"])
    assert re.fullmatch(parameter["AllowedPattern"], "https://dashboard.clinic.example")
    for not_one_origin in ("*", "null", "https://a.example,https://b.example", "https://a.example/path"):
        assert not re.fullmatch(parameter["AllowedPattern"], not_one_origin)
    assert TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]["ALLOWED_ORIGIN"] == {"Ref": "AllowedOrigins"}


GATEWAY_ERRORS = {"DEFAULT_4XX", "DEFAULT_5XX", "UNAUTHORIZED", "ACCESS_DENIED", "THROTTLED", "WAF_FILTERED",
                  "MISSING_AUTHENTICATION_TOKEN", "QUOTA_EXCEEDED", "REQUEST_TOO_LARGE"}
DESIGN_CODES = {"validation_error", "unauthorized", "forbidden", "not_found", "conflict", "rate_limited", "internal"}


@pytest.mark.parametrize("kind", sorted(API["GatewayResponses"]))
def test_gateway_responses_use_the_error_shape_and_the_functions_headers(kind):
    response = API["GatewayResponses"][kind]
    body = json.loads(response["ResponseTemplates"]["application/json"])
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] in DESIGN_CODES and body["error"]["details"] == []
    headers = response["ResponseParameters"]["Headers"]
    assert headers["Access-Control-Allow-Origin"] == {"Fn::Sub": "'${AllowedOrigins}'"}
    assert headers["Cache-Control"] == "'no-store'"
    assert headers["X-Content-Type-Options"] == "'nosniff'"
    assert headers["Strict-Transport-Security"].startswith("'max-age=")


def test_every_kind_of_gateway_error_is_answered():
    assert set(API["GatewayResponses"]) >= GATEWAY_ERRORS


def test_a_web_acl_with_aws_managed_rules_and_a_rate_limit_guards_the_api_stage():
    acl = RESOURCES["ApiWebAcl"]["Properties"]
    assert acl["Scope"] == "REGIONAL" and acl["DefaultAction"] == {"Allow": {}}
    groups = {r["Statement"]["ManagedRuleGroupStatement"]["Name"] for r in acl["Rules"]
              if "ManagedRuleGroupStatement" in r["Statement"]}
    assert {"AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet",
            "AWSManagedRulesAmazonIpReputationList"} <= groups
    (rate,) = [r for r in acl["Rules"] if "RateBasedStatement" in r["Statement"]]
    assert rate["Action"] == {"Block": {}} and rate["Statement"]["RateBasedStatement"]["AggregateKeyType"] == "IP"
    assert len({r["Priority"] for r in acl["Rules"]}) == len(acl["Rules"])
    association = RESOURCES["ApiWebAclAssociation"]["Properties"]
    assert association["WebACLArn"] == {"Fn::GetAtt": ["ApiWebAcl", "Arn"]}
    assert association["ResourceArn"]["Fn::Sub"].endswith("/restapis/${ClinicApi}/stages/${ClinicApi.Stage}")


def test_a_managed_rule_only_counted_is_enforced_by_a_later_rule_on_its_label():
    acl = RESOURCES["ApiWebAcl"]["Properties"]
    for rule in acl["Rules"]:
        group = rule["Statement"].get("ManagedRuleGroupStatement", {})
        for override in group.get("RuleActionOverrides", []):
            assert override["ActionToUse"] == {"Count": {}}
            later = [r for r in acl["Rules"] if r["Priority"] > rule["Priority"] and r.get("Action") == {"Block": {}}]
            label = override["Name"].replace("_BODY", "_Body")
            assert any(label in json.dumps(r["Statement"]) for r in later), override["Name"]


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
               for s in function_statements(logical_id))


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


# ------------------------------------------------------------------ observability

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


def test_api_errors_and_reconciliation_drift_raise_alarms():
    by_metric = {(a["Properties"].get("Namespace"), a["Properties"].get("MetricName")): a["Properties"]
                 for a in ALARMS.values()}
    api_dimensions = [{"Name": "ApiName", "Value": {"Fn::Sub": "clinic-${Stage}-api"}},
                      {"Name": "Stage", "Value": {"Ref": "Stage"}}]
    assert API["Name"] == {"Fn::Sub": "clinic-${Stage}-api"}
    for metric in ("5XXError", "4XXError", "Latency"):
        assert by_metric[("AWS/ApiGateway", metric)]["Dimensions"] == api_dimensions
    drift = by_metric[("Clinic", "SummaryItemsRepaired")]
    assert drift["Threshold"] == 0 and drift["ComparisonOperator"] == "GreaterThanThreshold"


def test_the_drift_alarm_watches_a_metric_the_reconciliation_emits():
    source = (template.ROOT / "shared" / "clinic" / "services" / "nightly.py").read_text()
    assert 'name="SummaryItemsRepaired"' in source
    assert TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]["POWERTOOLS_METRICS_NAMESPACE"] == "Clinic"


def test_the_dashboard_shows_api_lambda_every_dead_letter_queue_ingest_and_drift():
    body = RESOURCES["OperationsDashboard"]["Properties"]["DashboardBody"]["Fn::Sub"][0]
    for queue in dead_letter_queues():
        assert "${" + queue + ".QueueName}" in body
    for metric in ("Latency", "5XXError", "Errors", "Throttles", "ReadingsAccepted", "SummaryItemsRepaired"):
        assert f'"{metric}' in body or f'\\"{metric}\\"' in body, metric
    # the body is valid JSON once CloudFormation substitutes the variables
    json.loads(re.sub(r"\$\{[^}]+\}", "x", body))


def test_readings_metric_names_on_the_dashboard_are_the_ones_ingest_emits():
    readings = (Path(template.ROOT) / "shared" / "clinic" / "services" / "readings.py").read_text()
    ingest = (Path(template.ROOT) / "shared" / "clinic" / "services" / "ingest.py").read_text()
    assert 'ACCEPTED = "accepted"' in readings and 'name=f"Readings{outcome.value.title()}"' in ingest
