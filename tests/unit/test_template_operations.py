"""template.yaml, read as data: operations. The API and reconciliation alarms, and the metric names
the alarms and the dashboard watch, which the code must emit."""

from pathlib import Path

from clinic_tools import template

TEMPLATE = template.load()
RESOURCES = TEMPLATE["Resources"]
API = RESOURCES["ClinicApi"]["Properties"]
ALARMS = template.resources("AWS::CloudWatch::Alarm")


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


def test_readings_metric_names_on_the_dashboard_are_the_ones_ingest_emits():
    readings = (Path(template.ROOT) / "shared" / "clinic" / "services" / "readings.py").read_text()
    ingest = (Path(template.ROOT) / "shared" / "clinic" / "services" / "ingest.py").read_text()
    assert 'ACCEPTED = "accepted"' in readings and 'name=f"Readings{outcome.value.title()}"' in ingest
