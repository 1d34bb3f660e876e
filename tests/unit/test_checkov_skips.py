"""Checkov suppressions: written once in template.yaml (Metadata.ClinicCheckovSkips), each with a
reason, and applied by tools/transform_template.py to the transformed resources they name (SAM
does not carry a Serverless::Function's Metadata to the AWS::Lambda::Function it generates)."""

import copy
import importlib.util

import pytest

from clinic_tools import template

_spec = importlib.util.spec_from_file_location("transform_template", template.ROOT / "tools" / "transform_template.py")
transform_template = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(transform_template)

SOURCE = template.load()
SKIPS = SOURCE["Metadata"]["ClinicCheckovSkips"]


def transformed_like_sam() -> dict:
    """The logical ids SAM gives what it generates from this template: a function keeps its id
    (plus <id>Role), the API keeps its id (plus <id>Stage and a deployment); the rest as written."""
    resources = {}
    for logical_id, res in SOURCE["Resources"].items():
        if res["Type"] == "AWS::Serverless::Function":
            resources[logical_id] = {"Type": "AWS::Lambda::Function", "Properties": {}}
            resources[f"{logical_id}Role"] = {"Type": "AWS::IAM::Role", "Properties": {}}
        elif res["Type"] == "AWS::Serverless::Api":
            resources[logical_id] = {"Type": "AWS::ApiGateway::RestApi", "Properties": {}}
            resources[f"{logical_id}Stage"] = {"Type": "AWS::ApiGateway::Stage", "Properties": {}}
        else:
            resources[logical_id] = copy.deepcopy(res)
    return {"Resources": resources}


def skipped(output: dict, logical_id: str) -> set[str]:
    return {s["id"] for s in output["Resources"][logical_id].get("Metadata", {}).get("checkov", {}).get("skip", [])}


@pytest.mark.parametrize("pattern", sorted(SKIPS))
def test_every_suppression_names_a_check_and_gives_a_reason(pattern):
    for entry in SKIPS[pattern]:
        assert entry["id"].startswith("CKV_")
        assert len(entry["comment"].split()) >= 8, f"{pattern} {entry['id']}: say why, in a sentence"


def test_the_transform_puts_the_skips_on_every_generated_function_and_the_stage_only():
    output = transformed_like_sam()
    applied = transform_template.apply_checkov_skips(SOURCE, output)
    functions = [lid for lid, r in SOURCE["Resources"].items() if r["Type"] == "AWS::Serverless::Function"]
    for logical_id in functions:
        assert {"CKV_AWS_117", "CKV_AWS_173"} <= skipped(output, logical_id)
        assert skipped(output, f"{logical_id}Role") == set()  # a glob on functions spares their roles
    assert skipped(output, "ClinicApiStage") == {"CKV_AWS_120"}
    assert skipped(output, "UsersTable") == set()
    assert skipped(output, "WebBucket") == {"CKV_AWS_18"}
    assert skipped(output, "WebDistribution") == {"CKV_AWS_86", "CKV_AWS_174"}
    assert set(applied) == set(functions) | {"ClinicApiStage", "WebBucket", "WebDistribution"}


def test_the_transform_keeps_skips_already_on_a_resource_and_adds_each_once():
    source = {"Metadata": {"ClinicCheckovSkips": {"A*": [{"id": "CKV_AWS_1", "comment": "a reason"}]}}}
    output = {"Resources": {"Ab": {"Metadata": {"checkov": {"skip": [{"id": "CKV_AWS_2", "comment": "kept"}]}}},
                            "Ac": {}}}
    transform_template.apply_checkov_skips(source, output)
    transform_template.apply_checkov_skips(source, output)
    assert [s["id"] for s in output["Resources"]["Ab"]["Metadata"]["checkov"]["skip"]] == ["CKV_AWS_2", "CKV_AWS_1"]
    assert [s["id"] for s in output["Resources"]["Ac"]["Metadata"]["checkov"]["skip"]] == ["CKV_AWS_1"]


@pytest.mark.parametrize("entries", [
    [{"id": "CKV_AWS_1", "comment": "  "}],
    [{"id": "CKV_AWS_1"}],
    [{"comment": "no id"}],
    [],
])
def test_a_suppression_without_a_reason_or_an_id_is_refused(entries):
    source = {"Metadata": {"ClinicCheckovSkips": {"A": entries}}}
    with pytest.raises(transform_template.SkipError):
        transform_template.apply_checkov_skips(source, {"Resources": {"A": {}}})


def test_a_suppression_that_matches_no_resource_is_refused():
    source = {"Metadata": {"ClinicCheckovSkips": {"Gone*": [{"id": "CKV_AWS_1", "comment": "a reason"}]}}}
    with pytest.raises(transform_template.SkipError, match="matches no resource"):
        transform_template.apply_checkov_skips(source, {"Resources": {"A": {}}})
