"""template.yaml, the nightly rollups' part, read as data: the schedule, its failure paths, the
queue wiring and least privilege."""

from clinic_tools import template
from tests.support.template_reading import arn, as_list, statements

RESOURCES = template.load()["Resources"]
PARAMETERS = template.load()["Parameters"]
FUNCTIONS = template.functions()
SCHEDULE = RESOURCES["NightlyRollupSchedule"]["Properties"]
WRITE_BIOMARKERS = {"dynamodb:BatchWriteItem", "dynamodb:PutItem"}


def grants(logical_id, action, resource):
    return any(action in as_list(s["Action"]) and resource in as_list(s["Resource"]) for s in statements(logical_id))


def test_the_schedule_runs_at_a_parameterized_hour_in_the_clinics_time_zone():
    assert SCHEDULE["ScheduleExpressionTimezone"] == {"Ref": "ClinicTimeZone"}
    assert PARAMETERS["ClinicTimeZone"]["Default"] == "America/New_York"
    assert SCHEDULE["ScheduleExpression"] == {"Fn::Sub": "cron(0 ${RollupHour} * * ? *)"}
    assert (PARAMETERS["RollupHour"]["Default"], PARAMETERS["RollupHour"]["MinValue"],
            PARAMETERS["RollupHour"]["MaxValue"]) == (2, 0, 23)
    assert SCHEDULE["FlexibleTimeWindow"] == {"Mode": "OFF"}


def test_the_schedule_retries_then_dead_letters_and_passes_its_scheduled_time():
    target = SCHEDULE["Target"]
    assert target["Arn"] == arn("PlanNightlyRollupsFunction")
    assert target["RetryPolicy"]["MaximumRetryAttempts"] > 0
    assert 60 <= target["RetryPolicy"]["MaximumEventAgeInSeconds"] <= 86_400
    assert target["DeadLetterConfig"]["Arn"] == arn("RollupScheduleDeadLetterQueue")
    assert "<aws.scheduler.scheduled-time>" in target["Input"]


def test_the_schedule_role_may_only_invoke_the_planner_and_reach_its_dead_letter_queue():
    role = RESOURCES[SCHEDULE["Target"]["RoleArn"]["Fn::GetAtt"][0]]["Properties"]
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert "aws:SourceAccount" in trust["Condition"]["StringEquals"]
    granted = {(action, s["Resource"]["Fn::GetAtt"][0]) for p in role["Policies"]
               for s in p["PolicyDocument"]["Statement"] for action in as_list(s["Action"])}
    assert granted == {("lambda:InvokeFunction", "PlanNightlyRollupsFunction"),
                       ("sqs:SendMessage", "RollupScheduleDeadLetterQueue"),
                       # the dead-letter queue is encrypted with DataKey
                       ("kms:Decrypt", "DataKey"), ("kms:GenerateDataKey", "DataKey")}


def test_a_planner_that_fails_every_async_attempt_lands_in_the_same_dead_letter_queue():
    config = FUNCTIONS["PlanNightlyRollupsFunction"].properties["EventInvokeConfig"]
    assert config["DestinationConfig"]["OnFailure"]["Destination"] == arn("RollupScheduleDeadLetterQueue")
    assert grants("PlanNightlyRollupsFunction", "sqs:SendMessage", arn("RollupScheduleDeadLetterQueue"))


def test_the_worker_reports_partial_batch_failures_through_an_explicit_event_source():
    (mapping,) = [r["Properties"] for r in RESOURCES.values() if r["Type"] == "AWS::Lambda::EventSourceMapping"
                  and r["Properties"]["FunctionName"] == {"Ref": "RollupWorkerFunction"}]
    assert mapping["FunctionName"] == {"Ref": "RollupWorkerFunction"}
    assert mapping["EventSourceArn"] == arn("RollupWorkQueue")
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    # No SAM `SQS` event: SAM would attach AWSLambdaSQSQueueExecutionRole (every queue, Resource "*")
    assert not FUNCTIONS["RollupWorkerFunction"].properties.get("Events")
    for action in ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"):
        assert grants("RollupWorkerFunction", action, arn("RollupWorkQueue"))


def test_the_work_queue_outlasts_the_worker_and_redrives_to_its_dead_letter_queue():
    queue = RESOURCES["RollupWorkQueue"]["Properties"]
    timeout = FUNCTIONS["RollupWorkerFunction"].properties["Timeout"]
    assert queue["VisibilityTimeout"] >= 6 * timeout  # Lambda's guidance for SQS event sources
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == arn("RollupWorkDeadLetterQueue")
    assert 1 < queue["RedrivePolicy"]["maxReceiveCount"] <= 10
    dead = RESOURCES["RollupWorkDeadLetterQueue"]["Properties"]
    assert dead["MessageRetentionPeriod"] > queue["MessageRetentionPeriod"]


def test_markers_are_keyed_by_night_and_shard_and_expire():
    props = RESOURCES["RollupMarkersTable"]["Properties"]
    assert {k["KeyType"]: k["AttributeName"] for k in props["KeySchema"]} == {"HASH": "pk", "RANGE": "sk"}
    assert props["TimeToLiveSpecification"] == {"AttributeName": "expiresAt", "Enabled": True}


def test_rollups_are_keyed_by_user_then_biomarker_and_day():
    props = RESOURCES["RollupsTable"]["Properties"]
    assert {k["KeyType"]: k["AttributeName"] for k in props["KeySchema"]} == {"HASH": "userId", "RANGE": "sk"}


def missing_marker_grants(policies):
    """Functions (logical id -> statements) that store readings but may not write markers:
    readings.record adds the marker to its summary transaction, so they would fail at run time."""
    biomarkers, markers = {"Fn::GetAtt": ["BiomarkersTable", "Arn"]}, arn("RollupMarkersTable")
    missing = []
    for fid, stmts in policies.items():
        records = any(set(as_list(s["Action"])) & WRITE_BIOMARKERS and biomarkers in as_list(s["Resource"])
                      for s in stmts)
        marks = any("dynamodb:UpdateItem" in as_list(s["Action"]) and markers in as_list(s["Resource"])
                    for s in stmts)
        if records and not marks:
            missing.append(fid)
    return missing


def test_a_function_that_records_readings_without_the_marker_grant_is_caught():
    writes = {"Effect": "Allow", "Action": "dynamodb:BatchWriteItem", "Resource": {"Fn::GetAtt": ["BiomarkersTable",
                                                                                                    "Arn"]}}
    marks = {"Effect": "Allow", "Action": ["dynamodb:UpdateItem"], "Resource": arn("RollupMarkersTable")}
    assert missing_marker_grants({"Ingest": [writes], "Lab": [writes, marks], "Stats": []}) == ["Ingest"]


# Functions that write Biomarkers without recording readings, with the reason.
NOT_RECORDING = {"EraseAccountDataFunction": "deletes an erased account's items; records nothing"}


def test_every_function_that_records_readings_may_write_activity_markers():
    policies = {fid: list(statements(fid)) for fid in FUNCTIONS if fid not in NOT_RECORDING}
    assert missing_marker_grants(policies) == []


def test_only_the_planner_and_the_write_path_touch_the_markers():
    readers = {fid for fid in FUNCTIONS for s in statements(fid) if arn("RollupMarkersTable") in as_list(s["Resource"])}
    assert "PlanNightlyRollupsFunction" in readers
    assert "RollupWorkerFunction" not in readers and "GetBiomarkerHistoryFunction" not in readers


def test_new_environment_variables_live_in_globals():
    variables = template.load()["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["ROLLUPS_TABLE"] == {"Ref": "RollupsTable"}
    assert variables["ROLLUP_MARKERS_TABLE"] == {"Ref": "RollupMarkersTable"}
    assert variables["ROLLUP_QUEUE_URL"] == {"Ref": "RollupWorkQueue"}
