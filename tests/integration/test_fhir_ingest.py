"""Lab results as labs send them: FHIR R4 Bundles through IngestReadingsFunction (direct Invoke
and SQS). The FHIR specification's published examples (tests/fixtures/fhir/) reference their
patient as ``Patient/f001`` or ``Patient/pat2``; a lab's Bundle carries that Patient with its MRN,
so the tests add it."""

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest

from clinic import aws
from clinic.observability import metrics
from clinic.repositories import dynamo
from clinic.services import stats
from tests.support.api import ADMIN_SUB, call
from tests.support.data import create_users
from tests.support.env import table_names
from tests.support.events import sqs_event

FUNCTION = "IngestReadingsFunction"
FIXTURES = Path(__file__).parents[1] / "fixtures" / "fhir"
MRN = "urn:oid:2.16.840.1.113883.19.5"
ANN = "0b6f2a9e-1111-4222-8333-444455556666"
BOB = "1c7e3b0f-2222-4333-8444-555566667777"
T0 = "2026-03-08T08:30:00Z"
T0_MS = 1772958600000


def fixture(name):
    return json.loads((FIXTURES / name).read_text())


def patient_entry(ref, mrn):
    kind, pid = ref.split("/")
    return {"fullUrl": f"https://lab.example.org/fhir/{ref}",
            "resource": {"resourceType": kind, "id": pid, "identifier": [{"system": MRN, "value": mrn}]}}


def bundle(*resources, type_="batch", extra=()):
    return {"resourceType": "Bundle", "type": type_,
            "entry": [{"resource": r} for r in resources] + list(extra)}


def observation(lab_id, loinc, value, unit, *, mrn="MRN-ANN", at=T0, status="final", **more):
    return {"resourceType": "Observation", "status": status,
            "identifier": [{"system": "https://lab.example.org/results", "value": lab_id}],
            "code": {"coding": [{"system": "http://loinc.org", "code": loinc}]},
            "subject": {"identifier": {"system": MRN, "value": mrn}},
            "effectiveDateTime": at,
            "valueQuantity": {"value": value, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit},
            **more}


def stored(user_id):
    items = aws.dynamodb().query(TableName=table_names()["BiomarkersTable"], KeyConditionExpression="userId = :u",
                                 ExpressionAttributeValues={":u": {"S": user_id}})["Items"]
    return sorted((i["name"], i["value"], i["unit"], i["status"]) for i in map(dynamo.from_item, items))


def outcomes(body):
    return [(r["index"], r["outcome"], (r.get("reason") or "").split(":")[0]) for r in body["results"]]


@pytest.fixture
def patients(tables, invoke):
    create_users(ANN, BOB)
    for user_id, mrn in ((ANN, "MRN-ANN"), (BOB, "MRN-BOB")):
        reply = call(invoke, "SetPatientIdentifiersFunction", admin=True, sub=ADMIN_SUB, path={"userId": user_id},
                     body={"identifiers": [{"system": MRN, "value": mrn}]})
        assert reply.status == 200


@pytest.fixture
def counted(monkeypatch):
    seen = {}
    real = metrics.add_metric

    def add_metric(*, name, unit, value):
        seen[name] = seen.get(name, 0) + value
        return real(name=name, unit=unit, value=value)

    monkeypatch.setattr(metrics, "add_metric", add_metric)
    return seen


def test_the_specifications_glucose_example_is_converted_and_the_labs_flag_decides(invoke, patients):
    # observation-example-f001-glucose: 6.3 mmol/L, lab range 3.1-6.2, interpretation H
    body = invoke(FUNCTION, bundle(fixture("observation-example-f001-glucose.json"),
                                   extra=[patient_entry("Patient/f001", "MRN-ANN")]))
    assert outcomes(body) == [(0, "accepted", "")]
    # 6.3 mmol/L x 180.156 g/mol = 113.498 mg/dL, exactly computed then rounded once
    assert stored(ANN) == [("Glucose", 113.498, "mg/dL", "out-of-range")]


def test_the_specifications_hemoglobin_example_keeps_its_unit_and_the_labs_low_flag(invoke, patients):
    # observation-example-f005-hemoglobin: 7.2 g/dL, interpretation L
    body = invoke(FUNCTION, bundle(fixture("observation-example-f005-hemoglobin.json"),
                                   extra=[patient_entry("Patient/f001", "MRN-ANN")]))
    assert outcomes(body) == [(0, "accepted", "")]
    assert stored(ANN) == [("Hemoglobin", 7.2, "g/dL", "out-of-range")]


def test_the_specifications_lipid_report_is_read_through_its_results(invoke, patients):
    # diagnosticreport-example-lipids: a DiagnosticReport and four Observations in mmol/L; the
    # Observations take the report's effective time (they have none of their own).
    report = fixture("diagnosticreport-example-lipids.json")
    report["entry"].append(patient_entry("Patient/pat2", "MRN-BOB"))
    body = invoke(FUNCTION, report)
    assert body["accepted"] == 4 and body["rejected"] == 0
    values = {name: value for name, value, _, _ in stored(BOB)}
    assert values == {"Total Cholesterol": 243.592, "Triglycerides": 115.141, "HDL Cholesterol": 50.265,
                      "LDL Cholesterol": 177.861}
    statuses = {name: status for name, _, _, status in stored(BOB)}
    # the lab's range decides in or out; the catalog's optimal range decides optimal
    assert statuses == {"Total Cholesterol": "out-of-range", "Triglycerides": "in-range",
                        "HDL Cholesterol": "out-of-range", "LDL Cholesterol": "out-of-range"}


def test_a_multi_patient_batch_with_mixed_units_lands_on_each_patient(invoke, patients):
    body = invoke(FUNCTION, bundle(
        observation("g-1", "2345-7", 88, "mg/dL", mrn="MRN-ANN"),
        observation("g-2", "15074-8", 5.0, "mmol/L", mrn="MRN-BOB"),
        observation("h-1", "718-7", 145, "g/L", mrn="MRN-BOB"),
        observation("w-1", "6690-2", 5.5, "10*9/L", mrn="MRN-ANN"),
    ))
    assert [o for _, o, _ in outcomes(body)] == ["accepted"] * 4
    assert stored(ANN) == [("Glucose", 88.0, "mg/dL", "optimal"), ("White Blood Cell Count", 5.5, "10^3/uL", "optimal")]
    assert stored(BOB) == [("Glucose", 90.078, "mg/dL", "in-range"), ("Hemoglobin", 14.5, "g/dL", "optimal")]
    assert stats.for_user(BOB).total == 2


def test_an_unknown_mrn_is_rejected_stored_nowhere_and_counted(invoke, patients, counted):
    body = invoke(FUNCTION, bundle(observation("g-1", "2345-7", 88, "mg/dL", mrn="MRN-NOBODY"),
                                   observation("g-2", "2345-7", 92, "mg/dL", mrn="MRN-ANN")))
    assert outcomes(body) == [(0, "rejected", "unknown_patient"), (1, "accepted", "")]
    assert counted["FhirUnknownPatients"] == 1
    assert "MRN-NOBODY" not in json.dumps(body)
    assert [name for name, *_ in stored(ANN)] == ["Glucose"] and stored(BOB) == []


def test_an_unknown_code_and_a_unit_without_exact_conversion_are_rejected_with_their_reason(invoke, patients):
    body = invoke(FUNCTION, bundle(
        observation("x-1", "99999-9", 1, "mg/dL"),
        observation("a-1", "4548-4", 48, "mmol/mol"),  # IFCC HbA1c: NGSP % is a regression, not a unit
        observation("a-2", "4548-4", 5.1, "%"),
    ))
    assert outcomes(body) == [(0, "rejected", "unknown_code"), (1, "rejected", "unit_not_convertible"),
                              (2, "accepted", "")]
    assert "mmol/mol" in body["results"][1]["reason"]
    assert stored(ANN) == [("Hemoglobin A1c", 5.1, "%", "optimal")]


def test_a_malformed_bundle_is_refused_whole_and_stores_nothing(invoke, patients, ddb_calls):
    broken = bundle(observation("g-1", "2345-7", 88, "mg/dL"))
    broken["entry"][0]["resource"]["status"] = 7  # not a code
    ddb_calls.reset()
    body = invoke(FUNCTION, broken)
    assert body["error"]["code"] == "validation_error" and body["error"]["details"]
    assert ddb_calls.total == 0
    assert invoke(FUNCTION, {**bundle(), "type": "searchset"})["error"]["code"] == "validation_error"


def test_replaying_a_bundle_changes_nothing(invoke, patients):
    sent = bundle(observation("g-1", "2345-7", 88, "mg/dL"), observation("c-1", "2093-3", 170, "mg/dL"))
    assert invoke(FUNCTION, copy.deepcopy(sent))["accepted"] == 2
    before = (stored(ANN), stats.for_user(ANN))
    again = invoke(FUNCTION, sent)
    assert (again["accepted"], again["duplicate"]) == (0, 2)
    assert (stored(ANN), stats.for_user(ANN)) == before


def test_on_the_queue_a_bundle_message_fails_only_when_one_of_its_results_does(invoke, patients):
    good = bundle(observation("g-1", "2345-7", 88, "mg/dL"))
    unknown = bundle(observation("g-2", "2345-7", 88, "mg/dL", mrn="MRN-NOBODY"))
    plain = {"userId": BOB, "name": "Glucose", "value": 80, "unit": "mg/dL", "recordedAt": T0_MS,
             "source": "lab.acme", "sourceReadingId": "p-1"}
    event = sqs_event([good, unknown, plain, "{not json"])
    failures = invoke(FUNCTION, event)["batchItemFailures"]
    ids = [r["messageId"] for r in event["Records"]]
    assert [f["itemIdentifier"] for f in failures] == [ids[1], ids[3]]
    assert [name for name, *_ in stored(ANN)] == ["Glucose"] and [name for name, *_ in stored(BOB)] == ["Glucose"]


def test_the_plain_ingest_path_never_imports_the_fhir_models():
    code = ("import json, sys; from clinic.services import ingest; ingest.from_invoke({'readings': []}); "
            "print(json.dumps(sorted(m for m in sys.modules if m.startswith('fhir'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_the_sample_event_lands_on_the_patient_with_its_mrn(invoke, patients):
    from tests.support.events import fhir_bundle_event

    call(invoke, "SetPatientIdentifiersFunction", admin=True, path={"userId": ANN},
         body={"identifiers": [{"system": MRN, "value": "MRN-000123"}]})
    body = invoke(FUNCTION, fhir_bundle_event())
    assert outcomes(body) == [(0, "accepted", "")]
    # 5.2 mmol/L = 93.6811 mg/dL (6 significant digits); the lab says normal (N), the catalog's optimal band is 75-90
    assert stored(ANN) == [("Glucose", 93.6811, "mg/dL", "in-range")]
