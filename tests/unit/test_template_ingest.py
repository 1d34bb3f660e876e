"""The ingest function in template.yaml: internal only, least privilege, only the pipeline may call
it, a dead-letter queue behind its queue, and a stack that deploys without a pipeline named."""

from typing import Any

from clinic_tools import template
from tests.support.template_reading import arn, as_list, statements

FUNCTION = "IngestReadingsFunction"
QUEUE = "ReadingsIngestQueue"
DLQ = "ReadingsIngestDeadLetterQueue"
PARAMETER = "PipelinePrincipalArn"
CONDITION = "HasPipelinePrincipal"


def resources() -> dict[str, Any]:
    return template.load()["Resources"]


def function() -> dict[str, Any]:
    return resources()[FUNCTION]["Properties"]


# --- reachability ----------------------------------------------------------------------------


def test_the_ingest_function_has_no_api_route():
    assert [r for r in template.routes() if r.function == FUNCTION] == []
    assert function().get("Events", {}) == {}
    assert "FunctionUrlConfig" not in function()
    assert "AutoPublishAlias" not in function()


def test_only_the_pipeline_principal_is_granted_invoke_and_only_when_one_is_named():
    permissions = {k: r for k, r in resources().items() if r["Type"] == "AWS::Lambda::Permission"
                   and r["Properties"]["FunctionName"] in ({"Ref": FUNCTION}, arn(FUNCTION))}
    assert len(permissions) == 1
    (permission,) = permissions.values()
    assert permission["Condition"] == CONDITION
    assert permission["Properties"]["Action"] == "lambda:InvokeFunction"
    assert permission["Properties"]["Principal"] == {"Ref": PARAMETER}


def _queue_policy_statements(branch: bool) -> list[dict[str, Any]]:
    (policy,) = [r for r in resources().values() if r["Type"] == "AWS::SQS::QueuePolicy"
                 and {"Ref": QUEUE} in r["Properties"]["Queues"]]
    condition, when_named, when_not = policy["Properties"]["PolicyDocument"]["Statement"]["Fn::If"]
    assert condition == CONDITION
    return when_named if branch else when_not


def test_with_a_pipeline_named_only_it_may_send_to_the_queue():
    allow = [s for s in _queue_policy_statements(True) if s["Effect"] == "Allow"]
    deny = [s for s in _queue_policy_statements(True) if s["Effect"] == "Deny"]
    assert [(s["Principal"], as_list(s["Action"])) for s in allow] == [
        ({"AWS": {"Ref": PARAMETER}}, ["sqs:SendMessage"])]
    # an explicit deny for every other principal: no identity policy in the account can grant it
    (others,) = deny
    assert others["Principal"] == "*"
    assert as_list(others["Action"]) == ["sqs:SendMessage"]
    assert others["Condition"] == {"ArnNotEquals": {"aws:PrincipalArn": {"Ref": PARAMETER}}}
    assert all(s["Resource"] == arn(QUEUE) for s in allow + deny)


def test_without_a_pipeline_named_nobody_may_send_to_the_queue():
    (deny,) = _queue_policy_statements(False)
    assert (deny["Effect"], deny["Principal"], as_list(deny["Action"])) == ("Deny", "*", ["sqs:SendMessage"])
    assert "Condition" not in deny


def _refs_outside_condition(node: Any, guarded: bool) -> list[Any]:
    """References to the parameter not guarded by the condition (directly or via Fn::If)."""
    if isinstance(node, dict):
        if node == {"Ref": PARAMETER}:
            return [] if guarded else [node]
        if "Fn::If" in node and node["Fn::If"][0] == CONDITION:
            _, when_true, when_false = node["Fn::If"]
            return _refs_outside_condition(when_true, True) + _refs_outside_condition(when_false, guarded)
        return [r for value in node.values() for r in _refs_outside_condition(value, guarded)]
    if isinstance(node, list):
        return [r for value in node for r in _refs_outside_condition(value, guarded)]
    return []


def test_the_stack_deploys_without_a_pipeline_named():
    params = template.load()["Parameters"]
    assert params[PARAMETER]["Default"] == ""
    assert template.load()["Conditions"][CONDITION] == {"Fn::Not": [{"Fn::Equals": [{"Ref": PARAMETER}, ""]}]}
    # Every use of the (possibly empty) ARN sits under the condition
    for logical_id, resource in resources().items():
        guarded = resource.get("Condition") == CONDITION
        assert _refs_outside_condition(resource, guarded) == [], logical_id


# --- least privilege -------------------------------------------------------------------------

EXPECTED = {
    ("dynamodb:BatchGetItem", "UsersTable"),
    ("dynamodb:BatchGetItem", "BiomarkersTable"),
    ("dynamodb:BatchGetItem", "BiomarkerSummaryTable"),
    ("dynamodb:BatchGetItem", "PatientIdentifiersTable"),  # a FHIR subject's MRN: read only, never written
    ("dynamodb:PutItem", "BiomarkersTable"),  # readings and summary in one TransactWriteItems,
    ("dynamodb:PutItem", "BiomarkerSummaryTable"),  # which IAM authorizes as a PutItem per Put
    ("dynamodb:UpdateItem", "RollupMarkersTable"),  # the activity marker in the same transaction
    # A lab's corrections (clinic.services.corrections): the reading by id, then by key; the
    # biomarker's newest readings; the summary partition; the reading's day; the audit record in
    # the transaction; a latest item removed.
    ("dynamodb:Query", "BiomarkersTable/index/ById"),
    ("dynamodb:GetItem", "BiomarkersTable"),
    ("dynamodb:Query", "BiomarkersTable/index/ByName"),
    ("dynamodb:Query", "BiomarkerSummaryTable"),
    ("dynamodb:PutItem", "AuditTable"),
    ("dynamodb:DeleteItem", "BiomarkerSummaryTable"),
}
# What Lambda's event source mapping does with the function's role: on the ingest queue only
POLLING = {("sqs:ReceiveMessage", QUEUE), ("sqs:DeleteMessage", QUEUE), ("sqs:GetQueueAttributes", QUEUE)}
# Everything it touches is encrypted with DataKey; a failed asynchronous invoke goes to its own queue
ENCRYPTION_AND_FAILURES = {("kms:Decrypt", "DataKey"), ("kms:GenerateDataKey", "DataKey"),
                           ("sqs:SendMessage", "ReadingsInvokeDeadLetterQueue")}


# IAM authorizes each item of a TransactWriteItems as its own action
TRANSACT_ACTIONS = {"Put": "dynamodb:PutItem", "Update": "dynamodb:UpdateItem", "Delete": "dynamodb:DeleteItem",
                    "ConditionCheck": "dynamodb:ConditionCheckItem"}


def granted() -> set[tuple[str, str]]:
    pairs = set()
    for statement in statements(FUNCTION):
        assert statement["Effect"] == "Allow"
        for action in as_list(statement["Action"]):
            for resource in as_list(statement["Resource"]):
                assert isinstance(resource, dict), "resources are ARNs of our tables"
                if "Fn::Sub" in resource:  # an index: "${Table.Arn}/index/Name"
                    table, index = resource["Fn::Sub"].removeprefix("${").split(".Arn}")
                    pairs.add((action, table + index))
                    continue
                logical_id, attribute = resource["Fn::GetAtt"]
                assert attribute == "Arn"
                pairs.add((action, logical_id))
    return pairs


def test_the_policy_grants_exactly_the_actions_ingest_needs_on_its_tables_and_queue():
    assert granted() == EXPECTED | POLLING | ENCRYPTION_AND_FAILURES
    actions = {a for a, _ in granted()}
    assert not any("*" in a for a in actions)
    assert "dynamodb:Scan" not in actions
    # It deletes nothing but a latest item whose biomarker's only reading was withdrawn
    assert {t for a, t in granted() if a == "dynamodb:DeleteItem"} == {"BiomarkerSummaryTable"}
    # The one update it may make is the rollups' activity marker
    assert {t for a, t in granted() if a == "dynamodb:UpdateItem"} == {"RollupMarkersTable"}


def test_every_request_ingest_makes_is_covered_by_the_policy(tables, invoke):
    # Given the requests the function makes while ingesting (moto does not enforce IAM, so record
    # them and check each against the policy: enough, as well as no more than needed)
    from clinic import aws
    from tests.support.data import create_users
    from tests.support.events import fhir_bundle_event, ingest_invoke_event, ingest_users

    by_table = {name: logical for logical, name in tables.items()}
    used: set[tuple[str, str]] = set()

    def record(model, params, **_):
        if model.name == "TransactWriteItems":
            for item in params["TransactItems"]:
                ((kind, action),) = item.items()
                used.add((TRANSACT_ACTIONS[kind], by_table[action["TableName"]]))
        elif "IndexName" in params:
            used.add((f"dynamodb:{model.name}", f"{by_table[params['TableName']]}/index/{params['IndexName']}"))
        elif "RequestItems" in params:
            used.update((f"dynamodb:{model.name}", by_table[t]) for t in params["RequestItems"])
        else:
            used.add((f"dynamodb:{model.name}", by_table[params["TableName"]]))

    create_users(*ingest_users())
    # the sample Bundle's patient, known by its MRN, so that its result is stored and corrected
    from clinic.repositories import dynamo, users_table
    from clinic.repositories import patient_identifiers_table as identifiers
    mrn = fhir_bundle_event()["entry"][0]["resource"]["subject"]["identifier"]
    patient = sorted(ingest_users())[0]
    dynamo.write([users_table.identifiers_update_action(patient, [mrn], None),
                  identifiers.claim_action(mrn["system"], mrn["value"], patient)])
    aws.dynamodb().meta.events.register("before-parameter-build.dynamodb", record)
    try:
        invoke(FUNCTION, ingest_invoke_event())
        invoke(FUNCTION, ingest_invoke_event())  # duplicates: the existence reads
        invoke(FUNCTION, fhir_bundle_event())  # a FHIR subject: the MRN look-up
        for status in ("corrected", "entered-in-error"):  # the lab corrects it, then withdraws it
            event = fhir_bundle_event()
            observation = event["entry"][0]["resource"]
            observation["status"] = status
            observation["valueQuantity"]["value"] += 1
            assert invoke(FUNCTION, event)["results"][0]["outcome"] in ("corrected", "withdrawn")
    finally:
        aws.dynamodb().meta.events.unregister("before-parameter-build.dynamodb", record)
    assert used <= granted()
    assert used == EXPECTED  # and no DynamoDB grant goes unused


# --- queue -----------------------------------------------------------------------------------


def test_the_queue_feeds_the_function_and_reports_partial_batch_failures():
    (mapping,) = [r["Properties"] for r in resources().values() if r["Type"] == "AWS::Lambda::EventSourceMapping"
                  and r["Properties"]["FunctionName"] == {"Ref": FUNCTION}]
    assert mapping["EventSourceArn"] == arn(QUEUE)
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert 1 <= mapping["BatchSize"] <= 1000
    assert mapping["BatchSize"] <= 10 or mapping["MaximumBatchingWindowInSeconds"] >= 1  # SQS requires it above 10


def test_the_queue_redrives_to_a_dead_letter_queue_and_outlives_the_function():
    queue = resources()[QUEUE]["Properties"]
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == arn(DLQ)
    assert 1 < queue["RedrivePolicy"]["maxReceiveCount"] <= 10
    # Lambda's guidance: visibility at least six times the function timeout
    assert queue["VisibilityTimeout"] >= 6 * function()["Timeout"]
    assert resources()[DLQ]["Properties"]["MessageRetentionPeriod"] > queue["MessageRetentionPeriod"]
