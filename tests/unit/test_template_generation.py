"""template.yaml is generated (tools/generate_template.py) from template/*.yaml and each
function's function.yaml; the committed file is what the generator writes, like docs/openapi.json."""

import re
from pathlib import Path

import pytest

from clinic_local import template
from tests.support import tools

ROOT = Path(__file__).resolve().parents[2]


generator = tools.load("generate_template")


def test_committed_template_is_what_the_generator_writes():
    assert template.TEMPLATE.read_text() == generator.render(), (
        "template.yaml is stale: run `make template` and commit it"
    )


def test_every_function_folder_has_its_manifest_and_its_function():
    folders = sorted(p.parent for p in (ROOT / "functions").glob("*/*/app.py"))
    declared = sorted(fn.code_uri.resolve() for fn in template.functions().values())
    assert [f.resolve() for f in folders] == declared
    assert all((f / "function.yaml").exists() for f in folders)


def test_each_route_is_the_one_its_handler_declares():
    for fn in template.functions().values():
        source = (fn.code_uri / "app.py").read_text()
        declared = {(m.upper(), re.sub(r"<(\w+)>", r"{\1}", p))
                    for m, p in re.findall(r'@\w+\.(get|post|put|patch|delete)\(\s*"(/[^"]*)"', source)}
        in_template = {(r.method, r.path) for r in template.routes() if r.function == fn.logical_id}
        assert in_template == declared, fn.logical_id


def _manifest(tmp_path, text):
    folder = tmp_path / "functions" / "things" / "get"
    folder.mkdir(parents=True)
    (folder / "app.py").write_text('@app.get("/things/<thingId>")\ndef get(): ...\n')
    (folder / "function.yaml").write_text(text)
    return folder / "function.yaml"


def test_a_manifest_gives_the_function_its_log_group_route_and_data_key(tmp_path):
    path = _manifest(tmp_path, "Name: GetThing\nDescription: GET /things/{thingId}\nAlarms: PatientCare\n"
                               "DataKey: kms:Decrypt\nStatements:\n  - Effect: Allow\n"
                               "    Action: dynamodb:GetItem\n    Resource: !GetAtt ThingsTable.Arn\n")
    text = "\n".join(generator.function_resources(generator.read_manifest(path)))
    assert "  GetThingFunction:\n" in text and "LogGroup: !Ref GetThingLogGroup" in text
    assert "  GetThingLogGroup:\n" in text and "RetentionInDays: !Ref LogRetentionDays" in text
    assert "Path: /things/{thingId}\n            Method: get" in text
    assert "Sid: UseTheDataKey" in text and "Action: dynamodb:GetItem" in text


@pytest.mark.parametrize(("text", "error"), [
    ("Name: X\nDescription: d\nAlarms: PatientCare\nTimeout: 5\n", "unknown keys"),
    ("Name: X\nDescription: d\nAlarms: Somewhere\n", "Alarms must be one of"),
    ("Name: X\nDescription: d\n", "Alarms is required"),
    ("Name: X\nDescription: d\nAlarms: PatientCare\nStatements:\n  - Effect: Allow\n", "DataKey"),
    ("Name: X\nDescription: d\nAlarms: PatientCare\nProperties: {Timeout: 5}\n", "a block below its key"),
])
def test_a_manifest_that_says_something_unknown_is_refused(tmp_path, text, error):
    with pytest.raises(ValueError, match=error):
        generator.read_manifest(_manifest(tmp_path, text))


def test_an_alarm_group_over_the_metric_limit_is_refused(tmp_path):
    path = _manifest(tmp_path, "Name: GetThing\nDescription: d\nAlarms: PatientCare\n")
    many = [generator.read_manifest(path)] * (generator.MAX_METRICS_PER_ALARM + 1)
    with pytest.raises(ValueError, match="at most 10"):
        generator.alarms(many)


STATEMENTS = "DataKey: kms:Decrypt\nStatements:\n  - Effect: Allow\n    Action: dynamodb:GetItem\n    Resource: x\n"


def _function(tmp_path, app: str, manifest: str = "") -> str:
    folder = tmp_path / "functions" / "things" / "thing"
    folder.mkdir(parents=True)
    (folder / "app.py").write_text(app)
    (folder / "function.yaml").write_text(f"Name: Thing\nDescription: d\nAlarms: PatientCare\n{manifest}{STATEMENTS}")
    return "\n".join(generator.function_resources(generator.read_manifest(folder / "function.yaml")))


@pytest.mark.parametrize(("app", "manifest", "checked"), [
    ('app = make_resolver()\n@app.get("/things")\nhandler = lambda_entry(app)\n', "", False),
    ('app = make_resolver(staff=True)\n@app.get("/admin/things")\nhandler = lambda_entry(app)\n', "", True),
    ('app = make_resolver()\n@app.get("/things")\nhandler = lambda_entry(app, current_account=True)\n', "", True),
    ('app = make_resolver()\n@app.post("/things")\nhandler = lambda_entry(app)\n', "", True),
    ('app = make_resolver()\n@app.delete("/things")\nhandler = lambda_entry(app)\n', "", True),
    ('app = make_resolver()\n@app.post("/things")\nhandler = lambda_entry(app)\n', "Public: true\n", False),
    ("handler = invoke_entry(live.connect)\n", "ChecksTheAccount: true\n", True),
    ("handler = invoke_entry(live.disconnect)\n", "", False),
])
def test_the_account_check_statement_follows_what_the_entry_checks(tmp_path, app, manifest, checked):
    text = _function(tmp_path, app, manifest)

    assert ("Sid: CheckTheAccount" in text) == checked
    if checked:  # first after the data key, reading exactly the two items check_account reads
        assert ("Resource: !GetAtt DataKey.Arn\n            - Sid: CheckTheAccount  # a deleted account is a 401"
                in text)
        assert "GetItem\n              Resource: [!GetAtt UsersTable.Arn, !GetAtt AuthTable.Arn]" in text


@pytest.mark.parametrize(("manifest", "error"), [
    ("ChecksTheAccount: true\n", "derived from the route's entry"),
    ("", "is generated"),
])
def test_the_account_check_statement_is_never_written_by_hand(tmp_path, manifest, error):
    by_hand = "  - Sid: CheckTheAccount\n    Effect: Allow\n    Action: dynamodb:GetItem\n    Resource: y\n"
    folder = tmp_path / "functions" / "things" / "thing"
    folder.mkdir(parents=True)
    (folder / "app.py").write_text('@app.post("/things")\n')
    (folder / "function.yaml").write_text(
        f"Name: Thing\nDescription: d\nAlarms: PatientCare\n{manifest}{STATEMENTS}{by_hand if not manifest else ''}")
    with pytest.raises(ValueError, match=error):
        generator.read_manifest(folder / "function.yaml")
