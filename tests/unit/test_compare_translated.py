"""tools/compare_translated.py: what its normalization forgives (the order of method settings,
how the function alarms are grouped and named) and what it still reports."""

from tests.support import tools

tool = tools.load("compare_translated")
SETTINGS = {"EvaluationPeriods": 1, "Threshold": 0, "ComparisonOperator": "GreaterThanThreshold"}


def _alarm(description, functions, **settings):
    metrics = [{"Id": "total", "Expression": "SUM(METRICS())", "ReturnData": True}]
    metrics += [{"Id": f"m{i}", "ReturnData": False, "MetricStat": {
        "Metric": {"Namespace": "AWS/Lambda", "MetricName": "Errors",
                   "Dimensions": [{"Name": "FunctionName", "Value": {"Ref": f}}]},
        "Period": 300, "Stat": "Sum"}} for i, f in enumerate(functions)]
    return {"Type": "AWS::CloudWatch::Alarm",
            "Properties": {"AlarmDescription": description, "Metrics": metrics, **SETTINGS, **settings}}


def _stack(alarms, method_settings):
    return {"Resources": {**alarms, "ClinicApiStage": {"Type": "AWS::ApiGateway::Stage",
                                                        "Properties": {"MethodSettings": method_settings}}}}


A, B = {"ResourcePath": "/~1me", "HttpMethod": "PATCH"}, {"ResourcePath": "/*", "HttpMethod": "*"}
BEFORE = _stack({"FunctionErrorsAlarm1": _alarm("group 1", ["F1", "F2", "F3"])}, [A, B])


def test_regrouped_renamed_alarms_and_reordered_method_settings_compare_equal():
    after = _stack({"SignInErrorsAlarm": _alarm("sign-in", ["F1"]),
                    "PatientCareErrorsAlarm": _alarm("care", ["F3", "F2"])}, [B, A])
    assert tool.differences(tool.normalize(BEFORE), tool.normalize(after)) == []


def test_a_function_left_out_of_the_alarms_is_reported():
    after = _stack({"SignInErrorsAlarm": _alarm("sign-in", ["F1", "F2"])}, [A, B])
    assert tool.differences(tool.normalize(BEFORE), tool.normalize(after)) == [
        'only before: FunctionAlarm[Errors of {"Ref": "F3"}]']


def test_a_changed_threshold_or_method_setting_is_reported():
    after = _stack({"FunctionErrorsAlarm1": _alarm("group 1", ["F1", "F2", "F3"], Threshold=1)},
                   [{**A, "HttpMethod": "PUT"}, B])
    found = tool.differences(tool.normalize(BEFORE), tool.normalize(after))
    assert [line.split("\n")[0] for line in found] == [
        "changed: ClinicApiStage: Properties.MethodSettings[1].HttpMethod",
        'changed: 3 resources (FunctionAlarm[Errors of {"Ref": "F1"}], ...): Watch.Threshold',
    ]
