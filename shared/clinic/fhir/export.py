"""A page of the patient's export as a FHIR R4 Bundle (type ``collection``): the Patient (first
page), an Observation per reading (LOINC code, UCUM unit, value, effective time, reference range
and interpretation), an Appointment per appointment and a MedicationStatement per medication.
Daily rollups are derived from the readings and are not FHIR resources of their own: they are
left out. The Bundle's ``next`` link carries the same signed cursor as the JSON export.

Plain dictionaries: the export does not load the FHIR model library (tests validate every page
with it).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from clinic import catalog, clock
from clinic.fhir import codes, units
from clinic.models.appointments import Appointment
from clinic.models.biomarkers import Reading
from clinic.models.export import ExportPage
from clinic.models.medications import Medication

READING_SYSTEM = "urn:clinic:reading"
APPOINTMENT_SYSTEM = "urn:clinic:appointment"
MEDICATION_SYSTEM = "urn:clinic:medication"
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"



def _export_codes() -> dict[str, str]:
    """The LOINC code an exported reading carries: the first code of the table whose dimension
    is the catalog unit's own, so importing the export converts nothing."""
    chosen: dict[str, str] = {}
    for code in codes.CODES.values():
        reference = catalog.lookup(code.biomarker)
        unit = units.unit(codes.CATALOG_UCUM.get(reference.unit, "")) if reference else None
        if unit is not None and unit.dimension == code.dimension:
            chosen.setdefault(code.biomarker, code.loinc)
    return chosen


EXPORT_CODE = _export_codes()
APPOINTMENT_STATUS = {"requested": "proposed", "scheduled": "booked", "completed": "fulfilled",
                      "cancelled": "cancelled", "no-show": "noshow"}


def bundle(page: ExportPage, user_id: str, identifiers: list[dict[str, str]], *, limit: int,
           route: str = "/me/export") -> dict[str, Any]:
    patient_ref = f"Patient/{user_id}"
    entries: list[dict[str, Any]] = []
    if page.profile is not None:
        entries.append(_entry(_patient(user_id, page.profile.email, page.profile.name, identifiers)))
    entries += [_entry(_observation(r, patient_ref)) for r in page.biomarkers]
    entries += [_entry(_appointment(a, patient_ref)) for a in page.appointments]
    entries += [_entry(_medication(m, patient_ref)) for m in page.medications]
    out: dict[str, Any] = {"resourceType": "Bundle", "type": "collection", "timestamp": _iso(_now_ms()),
                           "entry": entries}
    if page.next_cursor:
        query = urlencode({"format": "fhir", "limit": limit, "cursor": page.next_cursor})
        out["link"] = [{"relation": "next", "url": f"{route}?{query}"}]
    return out


def _entry(resource: dict[str, Any]) -> dict[str, Any]:
    return {"fullUrl": f"urn:clinic:{resource['resourceType']}/{resource['id']}", "resource": resource}


def _patient(user_id: str, email: str, name: str | None, identifiers: list[dict[str, str]]) -> dict[str, Any]:
    patient: dict[str, Any] = {"resourceType": "Patient", "id": user_id,
                               "identifier": [{"system": i["system"], "value": i["value"]} for i in identifiers],
                               "telecom": [{"system": "email", "value": email}]}
    if name:
        patient["name"] = [{"text": name}]
    if not patient["identifier"]:
        del patient["identifier"]
    return patient


def _observation(reading: Reading, patient_ref: str) -> dict[str, Any]:
    reference = catalog.lookup(reading.name)
    code: dict[str, Any] = {"text": reading.name}
    loinc = EXPORT_CODE.get(reading.name)
    if loinc:
        code["coding"] = [{"system": codes.LOINC, "code": loinc}]
    ucum = codes.CATALOG_UCUM.get(reading.unit)
    quantity: dict[str, Any] = {"value": reading.value, "unit": reading.unit}
    if ucum:
        quantity |= {"system": codes.UCUM, "code": ucum}
    observation: dict[str, Any] = {
        "resourceType": "Observation", "id": reading.reading_id,
        "identifier": [{"system": READING_SYSTEM, "value": reading.reading_id}],
        "status": _status(reading),
        "category": [{"coding": [{"system": CATEGORY,
                                   "code": "vital-signs" if reading.category == "vitals" else "laboratory"}]}],
        "code": code, "subject": {"reference": patient_ref},
        "effectiveDateTime": _iso(reading.recorded_at), "valueQuantity": quantity,
        "interpretation": [_interpretation(reading, reference)],
    }
    bound = {"unit": reading.unit, **({"system": codes.UCUM, "code": ucum} if ucum else {})}
    if reading.reference_range is not None:  # the lab's own range, stored in the reading's unit
        lab = reading.reference_range
        observation["referenceRange"] = [{
            **({"low": {"value": lab.low, **bound}} if lab.low is not None else {}),
            **({"high": {"value": lab.high, **bound}} if lab.high is not None else {})}]
    elif reference is not None and reference.unit == reading.unit:
        low, high = reference.normal
        observation["referenceRange"] = [{"low": {"value": low, **bound}, "high": {"value": high, **bound},
                                          "text": codes.CATALOG_DERIVED}]
    return observation


def _interpretation(reading: Reading, reference: catalog.Reference | None) -> dict[str, Any]:
    """The lab's flag as it sent it, else one derived from the catalog (and marked so)."""
    if reading.interpretation:
        return {"coding": [{"system": INTERPRETATION, "code": reading.interpretation}]}
    return {"coding": [{"system": INTERPRETATION, "code": _flag(reading, reference)}], "text": codes.CATALOG_DERIVED}


def _status(reading: Reading) -> str:
    if reading.withdrawn_at is not None:
        return "entered-in-error"
    return "preliminary" if reading.preliminary else "final"


def _flag(reading: Reading, reference: catalog.Reference | None) -> str:
    """N for a reading within range (optimal or in-range), else H or L against the catalog's
    normal range, A (abnormal) when the value is within it but the reading is out of range."""
    if reading.status.value != catalog.OUT_OF_RANGE:
        return "N"
    if reference is not None and reference.unit == reading.unit:
        if reading.value > reference.normal[1]:
            return "H"
        if reading.value < reference.normal[0]:
            return "L"
    return "A"


def _appointment(appointment: Appointment, patient_ref: str) -> dict[str, Any]:
    end = appointment.start_time + appointment.duration_minutes * 60_000
    return {
        "resourceType": "Appointment", "id": appointment.appointment_id,
        "identifier": [{"system": APPOINTMENT_SYSTEM, "value": appointment.appointment_id}],
        "status": APPOINTMENT_STATUS[appointment.status.value],
        "serviceType": [{"text": appointment.type.value}],
        "description": appointment.title,
        "start": _iso(appointment.start_time), "end": _iso(end),
        "minutesDuration": appointment.duration_minutes,
        "participant": [{"actor": {"reference": patient_ref}, "status": "accepted"}],
    }


def _medication(medication: Medication, patient_ref: str) -> dict[str, Any]:
    return {
        "resourceType": "MedicationStatement", "id": medication.medication_id,
        "identifier": [{"system": MEDICATION_SYSTEM, "value": medication.medication_id}],
        "status": "active" if medication.active else "completed",
        "medicationCodeableConcept": {"text": medication.name},
        "subject": {"reference": patient_ref},
        "effectivePeriod": {"start": _iso(medication.started_at)},
        "dosage": [{"text": medication.dose}],
    }


def _iso(epoch_ms: int) -> str:
    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=epoch_ms)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _now_ms() -> int:
    return clock.now_ms()
