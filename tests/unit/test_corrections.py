"""The pure parts of corrections: a reading's new content for each kind of change, and how the
lab's flag and range decide a status (the catalog's optimal range still deciding ``optimal``)."""

import pytest

from clinic import catalog
from clinic.services import corrections

GLUCOSE = catalog.lookup("Glucose")  # normal 70-99, optimal within it
STORED = {"userId": "u", "sk": "0000000000001#r", "readingId": "r", "name": "Glucose", "value": 105.0,
          "unit": "mg/dL", "status": "in-range", "category": "metabolic", "recordedAt": 1, "source": "fhir",
          "referenceRange": {"low": 60.0, "high": 110.0, "unit": "mg/dL"}, "interpretation": "N",
          "preliminary": True, "nameSk": "Glucose#0000000000001#r", "statusSk": "x", "categorySk": "y"}


@pytest.mark.parametrize(("value", "lab", "expected"), [
    (85.0, {}, GLUCOSE.status_of(85.0)),  # nothing from the lab: the catalog
    (150.0, {"interpretation": "N"}, "in-range"),  # the lab says normal: in range, not optimal
    (GLUCOSE.optimal[0], {"interpretation": "N"}, "optimal"),  # normal and in the catalog's optimal range
    (85.0, {"interpretation": "H"}, "out-of-range"),  # the flag wins over the value
    (105.0, {"low": 60.0, "high": 110.0}, "in-range"),  # the lab's range, not the catalog's
    (55.0, {"low": 60.0}, "out-of-range"),
    (85.0, {"interpretation": "X"}, GLUCOSE.status_of(85.0)),  # an unknown flag says nothing
])
def test_the_labs_flag_then_its_range_then_the_catalog_decide(value, lab, expected):
    assert GLUCOSE.judged(value, **lab) == expected


def test_an_amend_is_judged_by_the_stored_range_and_drops_the_flag_that_described_the_old_value():
    new = corrections.corrected(STORED, corrections.Amend(115.0), now_ms=5)
    assert (new["value"], new["status"], "interpretation" in new) == (115.0, "out-of-range", False)
    assert new["referenceRange"] == STORED["referenceRange"] and new["preliminary"] is True
    assert not {"nameSk", "statusSk", "categorySk"} & set(new)  # derived again when stored


def test_a_replacement_takes_the_labs_new_content_and_a_final_clears_preliminary():
    final = {"value": 98.0, "status": "in-range", "referenceRange": {"low": 70.0, "high": 99.0, "unit": "mg/dL"}}
    new = corrections.corrected(STORED, corrections.Replace(final), now_ms=5)
    assert (new["value"], new["referenceRange"]["high"], "preliminary" in new, "interpretation" in new) == (
        98.0, 99.0, False, False)
    assert (new["readingId"], new["recordedAt"], new["name"]) == ("r", 1, "Glucose")


def test_a_withdrawal_marks_the_reading_and_nothing_changes_a_withdrawn_one():
    withdrawn = corrections.corrected(STORED, corrections.Withdraw(), now_ms=5)
    assert withdrawn["withdrawnAt"] == 5 and withdrawn["value"] == 105.0
    for change in (corrections.Amend(1.0), corrections.Withdraw(), corrections.Replace({"value": 2.0})):
        with pytest.raises(corrections.AlreadyWithdrawn):
            corrections.corrected(withdrawn, change, now_ms=6)
