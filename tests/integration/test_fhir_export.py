"""GET /me/export?format=fhir: the patient's record as FHIR R4, paged exactly like the JSON
export (a collection Bundle per page, the signed cursor in its ``next`` link), every page
valid for the FHIR model library; and the export round-trips through FHIR ingest."""

from urllib.parse import parse_qs, urlsplit

from fhir.resources.R4B.bundle import Bundle

from clinic import aws
from clinic.services import stats
from clinic_tools import template
from tests.integration.test_export_me import give_history
from tests.integration.test_fhir_ingest import stored
from tests.support import env
from tests.support.api import ADMIN_SUB, OTHER_SUB, call
from tests.support.events import EVENT_SUB

EXPORT = "ExportMeFunction"
MRN = "urn:oid:2.16.840.1.113883.19.5"


def set_mrn(invoke, user_id, value="MRN-7"):
    reply = call(invoke, "SetPatientIdentifiersFunction", admin=True, sub=ADMIN_SUB, path={"userId": user_id},
                 body={"identifiers": [{"system": MRN, "value": value}]})
    assert reply.status == 200


def export_all(invoke, user_id, limit):
    pages, cursor = [], None
    while True:
        query = {"format": "fhir", "limit": limit, **({"cursor": cursor} if cursor else {})}
        reply = call(invoke, EXPORT, sub=user_id, query=query)
        assert reply.status == 200, reply.body
        assert reply.raw["multiValueHeaders"]["Content-Type"] == ["application/fhir+json"]
        Bundle.model_validate(reply.body)  # every page is valid FHIR R4
        pages.append(reply.body)
        nxt = [link["url"] for link in reply.body.get("link", []) if link["relation"] == "next"]
        if not nxt:
            return pages
        cursor = parse_qs(urlsplit(nxt[0]).query)["cursor"][0]


def resources(pages, kind):
    return [e["resource"] for page in pages for e in page["entry"] if e["resource"]["resourceType"] == kind]


def test_the_fhir_export_pages_hold_the_whole_record_as_fhir_resources(invoke, tables):
    expected = give_history(EVENT_SUB, readings_n=7, appointments_n=3, medications_n=2, tag="fx")
    set_mrn(invoke, EVENT_SUB)
    pages = export_all(invoke, EVENT_SUB, limit=4)
    assert len(pages) > 3 and all(p["type"] == "collection" for p in pages)
    (patient,) = resources(pages, "Patient")
    assert patient["identifier"] == [{"system": MRN, "value": "MRN-7"}]
    observations = resources(pages, "Observation")
    assert {o["id"] for o in observations} == expected["biomarkers"]
    glucose = next(o for o in observations if o["code"]["text"] == "Glucose")
    assert glucose["code"]["coding"] == [{"system": "http://loinc.org", "code": "2345-7"}]
    assert glucose["valueQuantity"]["code"] == "mg/dL" and glucose["referenceRange"][0]["high"]["value"] == 99.0
    assert {a["id"] for a in resources(pages, "Appointment")} == expected["appointments"]
    assert {m["id"] for m in resources(pages, "MedicationStatement")} == expected["medications"]


def test_the_export_round_trips_into_a_fresh_stack_with_the_same_mrn(invoke, tables):
    give_history(EVENT_SUB, readings_n=9, appointments_n=0, medications_n=0, tag="rt")
    set_mrn(invoke, EVENT_SUB)
    before = (stored(EVENT_SUB), stats.for_user(EVENT_SUB))
    pages = export_all(invoke, EVENT_SUB, limit=5)
    resent = {"resourceType": "Bundle", "type": "collection",
              "entry": [{"resource": r} for kind in ("Patient", "Observation") for r in resources(pages, kind)]}

    # A fresh stack: every table emptied (dropped and created again from template.yaml)
    client = aws.dynamodb()
    for args in template.table_definitions(env.TABLE_PREFIX).values():
        client.delete_table(TableName=args["TableName"])
        client.create_table(**{k: v for k, v in args.items() if not k.startswith("_")})
    give_history(EVENT_SUB, readings_n=0, appointments_n=0, medications_n=0, tag="rt")
    set_mrn(invoke, EVENT_SUB)

    body = invoke("IngestReadingsFunction", resent)
    assert body["accepted"] == 9 and body["rejected"] == 0
    assert (stored(EVENT_SUB), stats.for_user(EVENT_SUB)) == before


def test_staff_export_a_patients_record_as_fhir_and_each_page_is_audited(invoke, tables):
    from clinic.repositories import audit_table as audit

    expected = give_history(EVENT_SUB, readings_n=5, appointments_n=1, medications_n=1, tag="st")
    set_mrn(invoke, EVENT_SUB)
    pages, cursor = [], None
    while True:
        query = {"format": "fhir", "limit": 3, **({"cursor": cursor} if cursor else {})}
        reply = call(invoke, "ExportPatientFunction", admin=True, sub=ADMIN_SUB, path={"userId": EVENT_SUB},
                     query=query)
        assert reply.status == 200, reply.body
        Bundle.model_validate(reply.body)
        pages.append(reply.body)
        nxt = [link["url"] for link in reply.body.get("link", []) if link["relation"] == "next"]
        if not nxt:
            break
        assert nxt[0].startswith(f"/admin/patients/{EVENT_SUB}/export?")
        cursor = parse_qs(urlsplit(nxt[0]).query)["cursor"][0]
    assert {o["id"] for o in resources(pages, "Observation")} == expected["biomarkers"]
    exports = [r for r in audit.page(patient_id=EVENT_SUB, actor_id=None, limit=100, after=None).items
               if r["action"] == "export"]
    assert len(exports) == len(pages) and {r["actorId"] for r in exports} == {ADMIN_SUB}
    # A staff cursor is bound to its patient: it does not page another patient's export
    give_history(OTHER_SUB, readings_n=1, appointments_n=0, medications_n=0, tag="other")
    other = call(invoke, "ExportPatientFunction", admin=True, sub=ADMIN_SUB, path={"userId": OTHER_SUB},
                 query={"format": "fhir", "cursor": parse_qs(urlsplit(
                     pages[0]["link"][0]["url"]).query)["cursor"][0]})
    assert other.status == 400


def test_staff_export_of_someone_who_is_not_a_user_is_a_404(invoke, tables):
    reply = call(invoke, "ExportPatientFunction", admin=True, path={"userId": "not-a-user"}, query={"format": "fhir"})
    assert reply.status == 404


def test_the_round_trip_keeps_the_labs_ranges_flags_preliminary_results_and_corrections(invoke, tables):
    from tests.integration.test_fhir_ingest import observation
    from tests.integration.test_reading_corrections import surviving

    # Given results from a lab whose range differs from the catalog's (102 mg/dL is in its range,
    # out of the catalog's), one preliminary, one flagged, one corrected and one withdrawn
    give_history(EVENT_SUB, readings_n=0, appointments_n=0, medications_n=0, tag="lab")
    set_mrn(invoke, EVENT_SUB)
    bound = {"system": "http://unitsofmeasure.org", "code": "mmol/L", "unit": "mmol/L"}
    lab_range = {"referenceRange": [{"low": {"value": 3.6, **bound}, "high": {"value": 5.9, **bound}}]}
    flag = {"interpretation": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/"
                                                      "v3-ObservationInterpretation", "code": "H"}]}]}

    def glucose(lab_id, value, at, status="final", **more):
        found = observation(lab_id, "15074-8", value, "mmol/L", mrn="MRN-7", at=at, status=status, **more)
        return {"resource": found}

    sent = [glucose("G1", 5.66, "2026-03-01T08:00:00Z", **lab_range),
            glucose("G2", 5.1, "2026-03-02T08:00:00Z", status="preliminary", **lab_range),
            glucose("G3", 7.0, "2026-03-03T08:00:00Z", **flag),
            glucose("G4", 4.4, "2026-03-04T08:00:00Z", **lab_range),
            glucose("G5", 4.9, "2026-03-05T08:00:00Z")]
    assert invoke("IngestReadingsFunction", {"resourceType": "Bundle", "type": "batch", "entry": sent})["accepted"] == 5
    withdrawal = glucose("G5", 0, "2026-03-05T08:00:00Z", status="entered-in-error")
    del withdrawal["resource"]["valueQuantity"]
    corrected = glucose("G4", 4.6, "2026-03-04T08:00:00Z", status="corrected", **lab_range)
    assert [r["outcome"] for r in invoke("IngestReadingsFunction", {
        "resourceType": "Bundle", "type": "batch", "entry": [withdrawal, corrected]})["results"]] == [
        "withdrawn", "corrected"]

    def kept(user_id):
        fields = ("name", "value", "unit", "status", "recordedAt", "referenceRange", "interpretation", "preliminary")
        return sorted(tuple(str(r.get(f)) for f in fields) for r in surviving(user_id))

    before = (kept(EVENT_SUB), stats.for_user(EVENT_SUB))
    assert {r[3] for r in before[0]} == {"in-range", "optimal", "out-of-range"}
    # 5.66 mmol/L = 101.968 mg/dL: out of the catalog's normal range, within the lab's
    assert ("Glucose", "101.968", "mg/dL", "in-range") in {r[:4] for r in before[0]}

    # When the export is imported into a fresh stack with the same MRN
    pages = export_all(invoke, EVENT_SUB, limit=3)
    exported = resources(pages, "Observation")
    assert sorted(o["status"] for o in exported) == ["entered-in-error", "final", "final", "final", "preliminary"]
    resent = {"resourceType": "Bundle", "type": "collection",
              "entry": [{"resource": r} for kind in ("Patient", "Observation") for r in resources(pages, kind)]}
    client = aws.dynamodb()
    for args in template.table_definitions(env.TABLE_PREFIX).values():
        client.delete_table(TableName=args["TableName"])
        client.create_table(**{k: v for k, v in args.items() if not k.startswith("_")})
    give_history(EVENT_SUB, readings_n=0, appointments_n=0, medications_n=0, tag="lab")
    set_mrn(invoke, EVENT_SUB)
    body = invoke("IngestReadingsFunction", resent)

    # Then the same readings, with the lab's ranges, flags and marks, and the same stats; the
    # withdrawn result has nothing to withdraw there
    assert (body["accepted"], body["rejected"]) == (4, 1)
    assert (kept(EVENT_SUB), stats.for_user(EVENT_SUB)) == before
