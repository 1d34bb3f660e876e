"""LOINC codes the catalog carries: each code names a catalog biomarker and the dimension LOINC
gives its result (its "property": MCnc mass concentration, SCnc substance concentration...). An
Observation's unit must be of that dimension; its value is converted to the catalog's unit when
the conversion is exact: same dimension, or through the analyte's molar mass.

A unit test checks every row: the biomarker exists, and its catalog unit is reachable from the
code's dimension.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Final

from clinic.fhir import units as u

LOINC: Final = "http://loinc.org"
UCUM: Final = "http://unitsofmeasure.org"
# The text of a referenceRange or interpretation our export derived from the catalog (a reading
# without the lab's own): an import of that export leaves it out, so the round trip is exact.
CATALOG_DERIVED: Final = "clinic catalog"

# The catalog's unit strings (clinic.catalog) as UCUM codes.
CATALOG_UCUM: Final = {
    "mg/dL": "mg/dL", "g/dL": "g/dL", "mg/L": "mg/L", "ng/mL": "ng/mL", "ng/dL": "ng/dL", "pg/mL": "pg/mL",
    "ug/dL": "ug/dL", "umol/L": "umol/L", "mmol/L": "mmol/L", "nmol/L": "nmol/L", "%": "%", "U/L": "U/L",
    "uIU/mL": "u[IU]/mL", "mIU/L": "m[IU]/L", "IU/mL": "[IU]/mL", "10^3/uL": "10*3/uL", "10^6/uL": "10*6/uL",
    "fL": "fL", "pg": "pg", "mL/min/1.73m2": "mL/min/{1.73_m2}", "ratio": "{ratio}", "mg/g": "mg/g",
    "mm/h": "mm/h",
}

# Molar masses (g/mol) of the analytes labs report in either concentration; the conventional
# clinical conversion factors derive from them (glucose 18.016, cholesterol 38.67, creatinine 88.4).
GLUCOSE = Fraction("180.156")
CHOLESTEROL = Fraction("386.654")
TRIGLYCERIDE = Fraction("885.7")  # as triolein, the convention behind 88.57 mg/dL per mmol/L
CREATININE = Fraction("113.12")
UREA_NITROGEN = Fraction("28.014")  # BUN is reported as the nitrogen of urea: 2 N per urea
CALCIUM = Fraction("40.078")
URIC_ACID = Fraction("168.11")


@dataclass(frozen=True, slots=True)
class Code:
    loinc: str
    biomarker: str  # catalog name
    dimension: str  # of the LOINC property
    molar_mass: Fraction | None = None


_CODES = (
    Code("2345-7", "Glucose", u.MASS_CONC, GLUCOSE),  # Glucose [Mass/volume] in Serum or Plasma
    Code("2339-0", "Glucose", u.MASS_CONC, GLUCOSE),  # Glucose [Mass/volume] in Blood
    Code("15074-8", "Glucose", u.SUBSTANCE_CONC, GLUCOSE),  # Glucose [Moles/volume] in Blood
    Code("14749-6", "Glucose", u.SUBSTANCE_CONC, GLUCOSE),  # Glucose [Moles/volume] in Serum or Plasma
    Code("4548-4", "Hemoglobin A1c", u.FRACTION),  # Hemoglobin A1c/Hemoglobin.total in Blood
    Code("17856-6", "Hemoglobin A1c", u.FRACTION),  # ... by HPLC
    Code("2093-3", "Total Cholesterol", u.MASS_CONC, CHOLESTEROL),
    Code("14647-2", "Total Cholesterol", u.SUBSTANCE_CONC, CHOLESTEROL),
    Code("35200-5", "Total Cholesterol", u.SUBSTANCE_CONC, CHOLESTEROL),  # ... in Serum or Plasma
    Code("2085-9", "HDL Cholesterol", u.MASS_CONC, CHOLESTEROL),
    Code("14646-4", "HDL Cholesterol", u.SUBSTANCE_CONC, CHOLESTEROL),
    Code("2089-1", "LDL Cholesterol", u.MASS_CONC, CHOLESTEROL),
    Code("13457-7", "LDL Cholesterol", u.MASS_CONC, CHOLESTEROL),  # by calculation
    Code("22748-8", "LDL Cholesterol", u.SUBSTANCE_CONC, CHOLESTEROL),
    Code("2571-8", "Triglycerides", u.MASS_CONC, TRIGLYCERIDE),
    Code("14927-8", "Triglycerides", u.SUBSTANCE_CONC, TRIGLYCERIDE),
    Code("35217-9", "Triglycerides", u.SUBSTANCE_CONC, TRIGLYCERIDE),  # ... in Serum or Plasma
    Code("718-7", "Hemoglobin", u.MASS_CONC),
    Code("4544-3", "Hematocrit", u.FRACTION),
    Code("6690-2", "White Blood Cell Count", u.NUMBER_CONC),
    Code("789-8", "Red Blood Cell Count", u.NUMBER_CONC),
    Code("777-3", "Platelet Count", u.NUMBER_CONC),
    Code("2160-0", "Creatinine", u.MASS_CONC, CREATININE),
    Code("14682-9", "Creatinine", u.SUBSTANCE_CONC, CREATININE),
    Code("3094-0", "Blood Urea Nitrogen (BUN)", u.MASS_CONC, UREA_NITROGEN),
    Code("2951-2", "Sodium", u.SUBSTANCE_CONC),
    Code("2823-3", "Potassium", u.SUBSTANCE_CONC),
    Code("2075-0", "Chloride", u.SUBSTANCE_CONC),
    Code("17861-6", "Calcium", u.MASS_CONC, CALCIUM),
    Code("1742-6", "ALT", u.CATALYTIC_CONC),
    Code("1920-8", "AST", u.CATALYTIC_CONC),
    Code("3016-3", "TSH", u.ARBITRARY_CONC),
    Code("3084-1", "Uric Acid", u.MASS_CONC, URIC_ACID),
    Code("1989-3", "Vitamin D, 25-Hydroxy", u.MASS_CONC),
    Code("2276-4", "Ferritin", u.MASS_CONC),
    Code("30522-7", "hs-CRP", u.MASS_CONC),
)
CODES: Final = {code.loinc: code for code in _CODES}


def code(loinc: str) -> Code | None:
    return CODES.get(loinc)
