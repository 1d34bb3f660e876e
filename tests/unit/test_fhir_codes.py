"""The LOINC table and UCUM conversions behind FHIR ingest: every code names a catalog
biomarker whose unit its dimension reaches, and conversions are exact or refused."""

from fractions import Fraction

import pytest

from clinic import catalog
from clinic.fhir import codes, units

# One unit of each dimension, to try each code's conversion to its catalog unit.
ONE_OF = {}
for unit in units.UNITS.values():
    ONE_OF.setdefault(unit.dimension, unit)


@pytest.mark.parametrize("code", sorted(codes.CODES.values(), key=lambda c: c.loinc), ids=lambda c: c.loinc)
def test_every_loinc_code_names_a_catalog_biomarker_its_dimension_reaches(code):
    reference = catalog.lookup(code.biomarker)
    assert reference is not None and reference.name == code.biomarker
    target = units.unit(codes.CATALOG_UCUM[reference.unit])
    assert target is not None
    assert units.factor(ONE_OF[code.dimension], target, code.molar_mass) is not None


def test_every_catalog_unit_of_a_coded_biomarker_is_a_known_ucum_unit():
    coded_units = {catalog.lookup(c.biomarker).unit for c in codes.CODES.values()}
    assert all(units.unit(codes.CATALOG_UCUM[u]) is not None for u in coded_units)


def test_glucose_converts_through_its_molar_mass_exactly():
    mmol, mg_dl = units.unit("mmol/L"), units.unit("mg/dL")
    factor = units.factor(mmol, mg_dl, codes.GLUCOSE)
    assert factor == Fraction("18.0156")
    assert units.convert(5.0, factor) == 90.078
    assert units.factor(mg_dl, mmol, codes.GLUCOSE) == 1 / Fraction("18.0156")


@pytest.mark.parametrize(("source", "target", "expected"), [
    ("g/L", "g/dL", Fraction(1, 10)), ("10*9/L", "10*3/uL", 1), ("10*12/L", "10*6/uL", 1),
    ("mg/dL", "mg/dL", 1), ("umol/L", "mmol/L", Fraction(1, 1000)),
])
def test_units_of_one_dimension_convert_by_their_exact_ratio(source, target, expected):
    assert units.factor(units.unit(source), units.unit(target)) == expected


@pytest.mark.parametrize(("source", "target"), [
    ("mmol/L", "mg/dL"),  # no molar mass given: no conversion
    ("%", "mg/dL"), ("U/L", "[IU]/L"),  # enzyme units and international units are not interchangeable
])
def test_units_of_different_dimensions_do_not_convert(source, target):
    assert units.factor(units.unit(source), units.unit(target)) is None


def test_a_unit_ucum_does_not_define_here_is_unknown():
    assert units.unit("mmol/mol") is None and units.unit("mg/dl") is None  # UCUM is case-sensitive
