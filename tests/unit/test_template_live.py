"""template.yaml, the live-updates part, read as data: which tables stream, how the fan-out
consumes them, the connections table, and least privilege."""


from clinic_tools import template
from tests.support.template_reading import as_list, statements

RESOURCES = template.load()["Resources"]
FUNCTIONS = template.functions()
LIVE_FUNCTIONS = ("LiveConnectFunction", "LiveDisconnectFunction", "LiveFanOutFunction")
STREAMED = {"BiomarkerSummaryTable", "AppointmentsTable", "MedicationsTable"}
MAPPINGS = {name: res["Properties"] for name, res in template.resources("AWS::Lambda::EventSourceMapping").items()
            if "StreamArn" in str(res["Properties"]["EventSourceArn"])}


def test_exactly_the_three_dashboard_tables_stream_and_only_their_keys():
    streaming = {name: res["Properties"]["StreamSpecification"]
                 for name, res in template.resources("AWS::DynamoDB::Table").items()
                 if "StreamSpecification" in res["Properties"]}
    assert set(streaming) == STREAMED
    assert all(spec == {"StreamViewType": "KEYS_ONLY"} for spec in streaming.values())


def test_each_stream_feeds_the_fan_out_with_partial_failures_retries_bisection_and_a_failure_queue():
    assert {m["EventSourceArn"]["Fn::GetAtt"][0] for m in MAPPINGS.values()} == STREAMED
    for mapping in MAPPINGS.values():
        assert mapping["FunctionName"] == {"Ref": "LiveFanOutFunction"}
        assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        assert mapping["BisectBatchOnFunctionError"] is True
        assert 0 <= mapping["MaximumRetryAttempts"] <= 10  # -1 (the default) retries until the record expires
        destination = mapping["DestinationConfig"]["OnFailure"]["Destination"]
        assert destination == {"Fn::GetAtt": ["LiveFanOutFailureQueue", "Arn"]}
        assert 0 < mapping["MaximumBatchingWindowInSeconds"] <= 5  # a live update is worth little late
        assert mapping["StartingPosition"] == "LATEST"
        assert mapping["BatchSize"] <= 1000


def test_the_failure_queue_is_encrypted_and_keeps_failures_the_longest_sqs_allows():
    props = RESOURCES["LiveFanOutFailureQueue"]["Properties"]
    assert props["KmsMasterKeyId"] == {"Ref": "DataKey"} and props["MessageRetentionPeriod"] == 1_209_600


def test_connections_are_keyed_by_user_expire_and_are_found_by_connection_id():
    props = RESOURCES["ConnectionsTable"]["Properties"]
    assert props["KeySchema"] == [{"AttributeName": "userId", "KeyType": "HASH"},
                                  {"AttributeName": "connectionId", "KeyType": "RANGE"}]
    assert props["TimeToLiveSpecification"] == {"AttributeName": "expiresAt", "Enabled": True}
    (index,) = props["GlobalSecondaryIndexes"]
    assert index["IndexName"] == "ByConnection"
    assert index["KeySchema"] == [{"AttributeName": "connectionId", "KeyType": "HASH"}]
    assert index["Projection"] == {"ProjectionType": "KEYS_ONLY"}


def test_the_websocket_api_routes_connect_and_disconnect_to_their_functions():
    api = RESOURCES["LiveApi"]["Properties"]
    assert api["ProtocolType"] == "WEBSOCKET" and api["RouteSelectionExpression"] == "$request.body.action"
    routes = {res["Properties"]["RouteKey"]: res["Properties"]
              for res in template.resources("AWS::ApiGatewayV2::Route").values()}
    assert set(routes) == {"$connect", "$disconnect"}
    for key, function in (("$connect", "LiveConnectFunction"), ("$disconnect", "LiveDisconnectFunction")):
        integration = RESOURCES[routes[key]["Target"]["Fn::Sub"].split("${")[1].rstrip("}")]["Properties"]
        assert integration["IntegrationType"] == "AWS_PROXY"
        assert f"${{{function}.Arn}}" in integration["IntegrationUri"]["Fn::Sub"]


def test_the_stage_writes_access_logs_without_the_query_string():
    stage = RESOURCES["LiveStage"]["Properties"]
    settings = stage["AccessLogSettings"]
    assert settings["DestinationArn"] == {"Fn::GetAtt": ["LiveApiAccessLogGroup", "Arn"]}
    assert "$context.connectionId" in settings["Format"] and "$context.status" in settings["Format"]
    # The token travels in the query string: nothing that could echo it is logged
    assert "querystring" not in settings["Format"].lower() and "$context.path" not in settings["Format"]
    assert stage["DefaultRouteSettings"]["DataTraceEnabled"] is False
    assert "RetentionInDays" in RESOURCES["LiveApiAccessLogGroup"]["Properties"]


def test_api_gateway_may_invoke_each_route_function_only_for_its_route():
    permissions = {res["Properties"]["FunctionName"]["Ref"]: res["Properties"]
                   for res in template.resources("AWS::Lambda::Permission").values()
                   if res["Properties"].get("Principal") == "apigateway.amazonaws.com"}
    assert permissions["LiveConnectFunction"]["SourceArn"]["Fn::Sub"].endswith("${LiveApi}/*/$connect")
    assert permissions["LiveDisconnectFunction"]["SourceArn"]["Fn::Sub"].endswith("${LiveApi}/*/$disconnect")


def test_each_live_function_is_granted_exactly_what_it_calls():
    key = str({"Fn::GetAtt": ["DataKey", "Arn"]})  # the table and queue are encrypted with it
    granted = {f: {(a, str(r)) for s in statements(f) for a in as_list(s["Action"]) for r in as_list(s["Resource"])
                   if str(r) != key or a not in ("kms:Decrypt", "kms:GenerateDataKey")}
               for f in LIVE_FUNCTIONS}
    table = str({"Fn::GetAtt": ["ConnectionsTable", "Arn"]})
    # ... and the account check: a deleted account's token is refused (docs/decisions.md)
    account = {("dynamodb:GetItem", str({"Fn::GetAtt": [t, "Arn"]})) for t in ("UsersTable", "AuthTable")}
    assert granted["LiveConnectFunction"] == {("dynamodb:Query", table), ("dynamodb:PutItem", table), *account}
    assert granted["LiveDisconnectFunction"] == {
        ("dynamodb:Query", str({"Fn::Sub": "${ConnectionsTable.Arn}/index/ByConnection"})),
        ("dynamodb:DeleteItem", table)}
    fan_out = granted["LiveFanOutFunction"]
    assert {a for a, r in fan_out if r == table} == {"dynamodb:Query", "dynamodb:DeleteItem"}
    streams = {r for a, r in fan_out if a == "dynamodb:GetRecords"}
    assert streams == {str({"Fn::GetAtt": [t, "StreamArn"]}) for t in STREAMED}
    assert ("sqs:SendMessage", str({"Fn::GetAtt": ["LiveFanOutFailureQueue", "Arn"]})) in fan_out


def test_manage_connections_is_scoped_to_posting_on_this_apis_stage():
    (statement,) = [s for s in statements("LiveFanOutFunction")
                    if "execute-api:ManageConnections" in as_list(s["Action"])]
    assert as_list(statement["Action"]) == ["execute-api:ManageConnections"]
    (resource,) = as_list(statement["Resource"])
    assert resource["Fn::Sub"].endswith(":${LiveApi}/${Stage}/POST/@connections/*")
    for other in ("LiveConnectFunction", "LiveDisconnectFunction"):
        assert not any("execute-api:ManageConnections" in as_list(s["Action"]) for s in statements(other))


def test_the_fan_out_posts_to_the_stage_the_api_serves():
    env = FUNCTIONS["LiveFanOutFunction"].properties["Environment"]["Variables"]
    assert env["CONNECTIONS_ENDPOINT"] == {"Fn::Sub": "https://${LiveApi}.execute-api.${AWS::Region}.amazonaws.com/${Stage}"}
    assert RESOURCES["LiveStage"]["Properties"]["StageName"] == {"Ref": "Stage"}


def test_the_connect_function_trusts_the_dashboards_app_client():
    env = FUNCTIONS["LiveConnectFunction"].properties["Environment"]["Variables"]
    assert env["USER_POOL_ID"] == {"Ref": "UserPool"} and env["APP_CLIENT_ID"] == {"Ref": "UserPoolClient"}


def test_the_local_runner_delivers_each_stream_to_the_fan_out_as_declared():
    sources = template.stream_sources()
    assert {s.table for s in sources} == STREAMED
    assert all(s.function == "LiveFanOutFunction" and s.partial_failures and s.maximum_retry_attempts >= 0
               for s in sources)
