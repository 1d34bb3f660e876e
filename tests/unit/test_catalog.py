"""Unit tests for the biomarker reference-range catalog (clinic.catalog)."""

from __future__ import annotations

import string

import pytest

from clinic.catalog import (
    CATALOG,
    CATEGORIES,
    IN_RANGE,
    OPTIMAL,
    OUT_OF_RANGE,
    STATUSES,
    Reference,
    lookup,
)

ALLOWED_NAME_CHARS = set(string.ascii_letters + string.digits + " ()-/.,+%")
ENTRIES = list(CATALOG.values())
ENTRY_IDS = [ref.name for ref in ENTRIES]


# --- catalog content -------------------------------------------------------


@pytest.mark.parametrize("ref", ENTRIES, ids=ENTRY_IDS)
def test_every_entry_has_low_not_above_high_in_both_ranges(ref: Reference) -> None:
    # Given a catalog entry
    # When its ranges are inspected
    # Then each range is ordered (low <= high)
    assert ref.normal[0] <= ref.normal[1]
    assert ref.optimal[0] <= ref.optimal[1]


@pytest.mark.parametrize("ref", ENTRIES, ids=ENTRY_IDS)
def test_every_entry_optimal_range_lies_within_normal_range(ref: Reference) -> None:
    # Given a catalog entry
    # When its optimal range is compared with its normal range
    # Then the optimal range is contained in the normal range
    assert ref.normal[0] <= ref.optimal[0]
    assert ref.optimal[1] <= ref.normal[1]


@pytest.mark.parametrize("ref", ENTRIES, ids=ENTRY_IDS)
def test_every_entry_category_is_a_known_category(ref: Reference) -> None:
    # Given a catalog entry
    # When its category is checked
    # Then it is one of CATEGORIES
    assert ref.category in CATEGORIES


@pytest.mark.parametrize("ref", ENTRIES, ids=ENTRY_IDS)
def test_every_entry_name_uses_allowed_charset_and_length(ref: Reference) -> None:
    # Given a catalog entry
    # When its name is checked
    # Then it is 1..64 chars of letters, digits, spaces and ()-/.,+% (never '#')
    assert 1 <= len(ref.name) <= 64
    assert set(ref.name) <= ALLOWED_NAME_CHARS
    assert "#" not in ref.name


@pytest.mark.parametrize("ref", ENTRIES, ids=ENTRY_IDS)
def test_every_entry_kind_is_lab_or_sensor(ref: Reference) -> None:
    # Given a catalog entry
    # When its kind is checked
    # Then it is either "lab" or "sensor"
    assert ref.kind in {"lab", "sensor"}


@pytest.mark.parametrize("ref", ENTRIES, ids=ENTRY_IDS)
def test_every_entry_unit_is_non_empty_ascii(ref: Reference) -> None:
    # Given a catalog entry
    # When its unit is checked
    # Then it is a non-empty ASCII string (e.g. "degF", not a degree sign)
    assert ref.unit
    assert ref.unit.isascii()


def test_catalog_is_keyed_by_entry_name() -> None:
    # Given the catalog
    # When each key is compared with the entry it maps to
    # Then every key equals that entry's name
    assert all(key == ref.name for key, ref in CATALOG.items())


def test_names_are_unique_case_insensitively() -> None:
    # Given all catalog names
    # When they are case-folded
    # Then no two collide
    folded = [name.casefold() for name in CATALOG]
    assert len(folded) == len(set(folded))


def test_catalog_has_at_least_70_entries() -> None:
    # Given the catalog
    # When its entries are counted
    # Then there are at least 70
    assert len(CATALOG) >= 70


def test_every_category_is_used_by_some_entry() -> None:
    # Given the declared categories
    # When the categories of all entries are collected
    # Then every declared category appears
    used = {ref.category for ref in CATALOG.values()}
    assert set(CATEGORIES) <= used


def test_categories_are_lowercase_slugs() -> None:
    # Given the declared categories
    # When each is checked
    # Then it is non-empty and made of lowercase letters and hyphens only
    for category in CATEGORIES:
        assert category
        assert set(category) <= set(string.ascii_lowercase + "-")


def test_statuses_constant_lists_the_three_status_strings_in_order() -> None:
    # Given the status constants
    # When STATUSES is read
    # Then it holds the three literal strings in severity order
    assert STATUSES == ("optimal", "in-range", "out-of-range")
    assert (OPTIMAL, IN_RANGE, OUT_OF_RANGE) == STATUSES


# --- status_of -------------------------------------------------------------
# Literal values: LDL Cholesterol normal 0-99, optimal 0-70 mg/dL;
# Glucose normal 70-99, optimal 75-90 mg/dL.


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("LDL Cholesterol", 0.0),
        ("LDL Cholesterol", 70.0),
        ("Glucose", 75.0),
        ("Glucose", 90.0),
    ],
)
def test_status_of_value_on_optimal_bound_is_optimal(name: str, value: float) -> None:
    # Given an entry with a known optimal range
    ref = CATALOG[name]
    # When a value exactly on an optimal bound is classified
    status = ref.status_of(value)
    # Then it is optimal (bounds are inclusive)
    assert status == OPTIMAL


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("LDL Cholesterol", 70.1),
        ("LDL Cholesterol", 99.0),
        ("Glucose", 74.9),
        ("Glucose", 70.0),
        ("Glucose", 90.1),
        ("Glucose", 99.0),
    ],
)
def test_status_of_value_outside_optimal_but_inside_normal_is_in_range(
    name: str, value: float
) -> None:
    # Given an entry with a known optimal and normal range
    ref = CATALOG[name]
    # When a value just outside optimal (or on a normal bound) is classified
    status = ref.status_of(value)
    # Then it is in-range
    assert status == IN_RANGE


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("LDL Cholesterol", 99.1),
        ("Glucose", 69.9),
        ("Glucose", 99.1),
    ],
)
def test_status_of_value_just_outside_normal_is_out_of_range(name: str, value: float) -> None:
    # Given an entry with a known normal range
    ref = CATALOG[name]
    # When a value just outside the normal range is classified
    status = ref.status_of(value)
    # Then it is out-of-range
    assert status == OUT_OF_RANGE


# --- lookup ----------------------------------------------------------------


def test_lookup_exact_name_returns_entry() -> None:
    # Given a canonical catalog name
    # When it is looked up
    ref = lookup("LDL Cholesterol")
    # Then the matching entry is returned
    assert ref is CATALOG["LDL Cholesterol"]


def test_lookup_is_case_insensitive() -> None:
    # Given a catalog name in different letter case
    # When it is looked up
    ref = lookup("ldl CHOLESTEROL")
    # Then the matching entry is returned
    assert ref is CATALOG["LDL Cholesterol"]


def test_lookup_unknown_name_returns_none() -> None:
    # Given a name that is not in the catalog
    # When it is looked up
    ref = lookup("Unobtainium")
    # Then None is returned
    assert ref is None


# --- immutability ----------------------------------------------------------


def test_catalog_item_assignment_raises_type_error() -> None:
    # Given the public catalog mapping
    # When an item assignment is attempted
    # Then TypeError is raised (the mapping is read-only)
    with pytest.raises(TypeError):
        CATALOG["Glucose"] = CATALOG["LDL Cholesterol"]  # type: ignore[index]


def test_reference_fields_cannot_be_reassigned() -> None:
    # Given a catalog entry
    ref = CATALOG["Glucose"]
    # When a field is reassigned
    # Then the frozen dataclass refuses it
    with pytest.raises(AttributeError):
        ref.unit = "mmol/L"  # type: ignore[misc]


# --- construction validation -----------------------------------------------


def test_reference_with_optimal_outside_normal_is_rejected() -> None:
    # Given ranges where optimal extends beyond normal
    # When a Reference is constructed
    # Then ValueError is raised
    with pytest.raises(ValueError, match="not within normal"):
        Reference("Bad Marker", "metabolic", "mg/dL", (70.0, 99.0), (60.0, 90.0), "lab")


def test_reference_with_hash_in_name_is_rejected() -> None:
    # Given a name containing '#'
    # When a Reference is constructed
    # Then ValueError is raised
    with pytest.raises(ValueError, match="invalid biomarker name"):
        Reference("Marker #1", "metabolic", "mg/dL", (70.0, 99.0), (75.0, 90.0), "lab")
