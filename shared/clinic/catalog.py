"""Reference-range catalog for the biomarkers shown on the patient dashboard.

The catalog lists the panel biomarkers a primary-care / longevity clinic
commonly reports (lab results and home/wearable sensor readings), each with
its canonical US conventional unit, a category, a *normal* (reference) range
and a narrower *optimal* ("functional") range inside it.  It is used to:

* compute a reading's status when a lab or sensor pipeline does not send one
  (``Reference.status_of``);
* reject a reading whose unit differs from the catalog unit.  Units are
  compared as exact strings and are NEVER converted: a value reported in
  another unit (e.g. mmol/L glucose, nmol/L testosterone, degC) must be
  rejected upstream rather than rescaled silently;
* generate realistic demo data.

This is reference data, not medical advice.  The ranges are approximate,
widely published adult intervals (typical US reference-lab intervals and
AHA/ADA guideline cut-offs); the reporting laboratory's own reference range
always takes precedence, and ranges vary with age, sex, method and clinical
context.  Where intervals differ by sex, a pragmatic combined range is used
and noted in a comment; the only exception is total testosterone, whose male
and female ranges do not overlap and are therefore separate entries.

All ranges are inclusive ``(low, high)`` tuples.  Upper-bound-only markers
(e.g. LDL cholesterol) use 0 as the lower bound.
"""

from __future__ import annotations

import math
import types
from collections.abc import Mapping
from dataclasses import dataclass

OPTIMAL = "optimal"
IN_RANGE = "in-range"
OUT_OF_RANGE = "out-of-range"
STATUSES: tuple[str, str, str] = (OPTIMAL, IN_RANGE, OUT_OF_RANGE)
# A lab's v3 ObservationInterpretation flags: normal, and the ones that mean out of range.
NORMAL_FLAGS = frozenset({"N"})
ABNORMAL_FLAGS = frozenset({"A", "AA", "H", "HH", "HU", "L", "LL", "LU", ">", "<"})

CATEGORIES: tuple[str, ...] = (
    "metabolic",
    "lipids",
    "cbc",
    "kidney",
    "liver",
    "electrolytes",
    "thyroid",
    "hormones",
    "inflammation",
    "vitamins-minerals",
    "vitals",
)

_KINDS = frozenset({"lab", "sensor"})
_NAME_MAX = 64
_NAME_CHARS = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 ()-/.,+%"
)


def _check_range(label: str, rng: tuple[float, float]) -> None:
    if (
        len(rng) != 2
        or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in rng)
        or not all(math.isfinite(v) for v in rng)
        or rng[0] > rng[1]
    ):
        raise ValueError(f"{label} must be a finite (low, high) pair with low <= high: {rng!r}")


@dataclass(frozen=True, slots=True)
class Reference:
    """One biomarker: canonical name, unit, category and inclusive ranges."""

    name: str
    category: str
    unit: str
    normal: tuple[float, float]
    optimal: tuple[float, float]
    kind: str

    def __post_init__(self) -> None:
        name = self.name
        if (
            not name
            or len(name) > _NAME_MAX
            or not set(name) <= _NAME_CHARS
            or name != name.strip()
            or "  " in name
        ):
            raise ValueError(f"invalid biomarker name: {name!r}")
        if self.category not in CATEGORIES:
            raise ValueError(f"{name}: unknown category {self.category!r}")
        if self.kind not in _KINDS:
            raise ValueError(f"{name}: kind must be 'lab' or 'sensor', got {self.kind!r}")
        if not self.unit or not self.unit.isascii() or self.unit != self.unit.strip():
            raise ValueError(f"{name}: unit must be a non-empty ASCII string: {self.unit!r}")
        _check_range(f"{name}: normal", self.normal)
        _check_range(f"{name}: optimal", self.optimal)
        if not (self.normal[0] <= self.optimal[0] and self.optimal[1] <= self.normal[1]):
            raise ValueError(f"{name}: optimal {self.optimal!r} not within normal {self.normal!r}")

    def status_of(self, value: float) -> str:
        """Return OPTIMAL, IN_RANGE or OUT_OF_RANGE (bounds inclusive).

        ``value`` must already be in ``self.unit``.  NaN compares false with
        every bound and therefore yields OUT_OF_RANGE.
        """
        lo, hi = self.optimal
        if lo <= value <= hi:
            return OPTIMAL
        lo, hi = self.normal
        if lo <= value <= hi:
            return IN_RANGE
        return OUT_OF_RANGE

    def judged(self, value: float, *, low: float | None = None, high: float | None = None,
               interpretation: str | None = None) -> str:
        """The status with the lab's verdict when it gave one: its interpretation flag first, else
        its reference range (bounds in ``self.unit``); a normal result is ``optimal`` when the
        catalog's optimal range holds it. Without either, the catalog decides (``status_of``)."""
        if interpretation in ABNORMAL_FLAGS:
            return OUT_OF_RANGE
        if interpretation not in NORMAL_FLAGS:
            if low is None and high is None:
                return self.status_of(value)
            if (low is not None and value < low) or (high is not None and value > high):
                return OUT_OF_RANGE
        lo, hi = self.optimal
        return OPTIMAL if lo <= value <= hi else IN_RANGE


# (name, category, unit, normal, optimal, kind)
_ENTRIES: tuple[tuple[str, str, str, tuple[float, float], tuple[float, float], str], ...] = (
    # --- metabolic -------------------------------------------------------
    ("Glucose", "metabolic", "mg/dL", (70.0, 99.0), (75.0, 90.0), "lab"),  # fasting
    ("Hemoglobin A1c", "metabolic", "%", (4.0, 5.6), (4.6, 5.3), "lab"),
    ("Fasting Insulin", "metabolic", "uIU/mL", (2.6, 24.9), (3.0, 8.0), "lab"),
    ("C-Peptide", "metabolic", "ng/mL", (1.1, 4.4), (1.1, 2.5), "lab"),
    ("Fructosamine", "metabolic", "umol/L", (200.0, 285.0), (200.0, 250.0), "lab"),
    # Sex-combined: roughly men 3.7-8.0, women 2.5-7.1 mg/dL.
    ("Uric Acid", "metabolic", "mg/dL", (2.5, 7.2), (3.5, 5.5), "lab"),
    # Non-diabetic CGM band; 70-180 is the diabetes "time in range" target.
    ("Continuous Glucose (CGM)", "metabolic", "mg/dL", (70.0, 140.0), (72.0, 110.0), "sensor"),
    # --- lipids ----------------------------------------------------------
    ("Total Cholesterol", "lipids", "mg/dL", (100.0, 199.0), (125.0, 180.0), "lab"),
    ("LDL Cholesterol", "lipids", "mg/dL", (0.0, 99.0), (0.0, 70.0), "lab"),
    # Sex-combined lower bound (guidelines: men >= 40, women >= 50 mg/dL); upper
    # bound is a pragmatic cap, very high HDL is not considered protective.
    ("HDL Cholesterol", "lipids", "mg/dL", (40.0, 100.0), (55.0, 90.0), "lab"),
    ("Triglycerides", "lipids", "mg/dL", (0.0, 149.0), (0.0, 100.0), "lab"),
    ("Non-HDL Cholesterol", "lipids", "mg/dL", (0.0, 129.0), (0.0, 100.0), "lab"),
    ("VLDL Cholesterol", "lipids", "mg/dL", (5.0, 40.0), (5.0, 20.0), "lab"),
    ("Apolipoprotein B", "lipids", "mg/dL", (0.0, 90.0), (0.0, 80.0), "lab"),
    # Reported in nmol/L (particle number); mg/dL results must be rejected.
    ("Lipoprotein(a)", "lipids", "nmol/L", (0.0, 75.0), (0.0, 30.0), "lab"),
    ("Total Cholesterol/HDL Ratio", "lipids", "ratio", (0.0, 5.0), (0.0, 3.5), "lab"),
    # --- cbc (complete blood count) --------------------------------------
    ("White Blood Cell Count", "cbc", "10^3/uL", (3.4, 10.8), (4.0, 7.5), "lab"),
    # Sex-combined: roughly men 4.1-5.8, women 3.8-5.3 x10^6/uL.
    ("Red Blood Cell Count", "cbc", "10^6/uL", (3.8, 5.8), (4.2, 5.4), "lab"),
    # Sex-combined: roughly men 13.0-17.7, women 11.1-15.9 g/dL.
    ("Hemoglobin", "cbc", "g/dL", (12.0, 17.5), (13.0, 16.0), "lab"),
    # Sex-combined: roughly men 37.5-51.0, women 34.0-46.6 %.
    ("Hematocrit", "cbc", "%", (36.0, 50.0), (38.0, 46.0), "lab"),
    ("MCV", "cbc", "fL", (79.0, 97.0), (82.0, 95.0), "lab"),
    ("MCH", "cbc", "pg", (26.6, 33.0), (28.0, 32.0), "lab"),
    ("MCHC", "cbc", "g/dL", (31.5, 35.7), (32.0, 35.0), "lab"),
    ("RDW", "cbc", "%", (11.6, 15.4), (11.6, 13.0), "lab"),
    ("Platelet Count", "cbc", "10^3/uL", (150.0, 450.0), (175.0, 350.0), "lab"),
    ("MPV", "cbc", "fL", (7.5, 12.5), (8.5, 11.5), "lab"),
    ("Neutrophils (Absolute)", "cbc", "10^3/uL", (1.4, 7.0), (2.0, 5.0), "lab"),
    ("Lymphocytes (Absolute)", "cbc", "10^3/uL", (0.7, 3.1), (1.0, 3.0), "lab"),
    ("Monocytes (Absolute)", "cbc", "10^3/uL", (0.1, 0.9), (0.2, 0.7), "lab"),
    ("Eosinophils (Absolute)", "cbc", "10^3/uL", (0.0, 0.4), (0.0, 0.3), "lab"),
    ("Basophils (Absolute)", "cbc", "10^3/uL", (0.0, 0.2), (0.0, 0.1), "lab"),
    # --- kidney ----------------------------------------------------------
    # Sex-combined: roughly men 0.76-1.27, women 0.57-1.00 mg/dL.
    ("Creatinine", "kidney", "mg/dL", (0.57, 1.27), (0.7, 1.1), "lab"),
    ("Blood Urea Nitrogen (BUN)", "kidney", "mg/dL", (6.0, 24.0), (10.0, 20.0), "lab"),
    # Labs flag < 60; the upper bound is a pragmatic hyperfiltration cap.
    ("eGFR", "kidney", "mL/min/1.73m2", (60.0, 150.0), (90.0, 130.0), "lab"),
    ("BUN/Creatinine Ratio", "kidney", "ratio", (9.0, 23.0), (10.0, 16.0), "lab"),
    ("Cystatin C", "kidney", "mg/L", (0.6, 1.0), (0.6, 0.85), "lab"),
    ("Albumin/Creatinine Ratio (Urine)", "kidney", "mg/g", (0.0, 29.0), (0.0, 10.0), "lab"),
    # --- liver -----------------------------------------------------------
    # Sex-combined: roughly men 0-44, women 0-32 U/L.
    ("ALT", "liver", "U/L", (0.0, 44.0), (10.0, 25.0), "lab"),
    ("AST", "liver", "U/L", (0.0, 40.0), (10.0, 26.0), "lab"),
    ("Alkaline Phosphatase", "liver", "U/L", (44.0, 121.0), (50.0, 100.0), "lab"),
    # Sex-combined: roughly men 0-65, women 0-60 U/L.
    ("GGT", "liver", "U/L", (0.0, 65.0), (0.0, 25.0), "lab"),
    ("Total Bilirubin", "liver", "mg/dL", (0.0, 1.2), (0.3, 1.0), "lab"),
    ("Direct Bilirubin", "liver", "mg/dL", (0.0, 0.4), (0.0, 0.3), "lab"),
    ("Albumin", "liver", "g/dL", (3.5, 5.5), (4.0, 5.0), "lab"),
    ("Total Protein", "liver", "g/dL", (6.0, 8.5), (6.6, 7.8), "lab"),
    ("Globulin", "liver", "g/dL", (1.5, 4.5), (2.0, 3.5), "lab"),
    ("Albumin/Globulin Ratio", "liver", "ratio", (1.2, 2.2), (1.4, 2.0), "lab"),
    # --- electrolytes ----------------------------------------------------
    ("Sodium", "electrolytes", "mmol/L", (135.0, 145.0), (137.0, 142.0), "lab"),
    ("Potassium", "electrolytes", "mmol/L", (3.5, 5.2), (4.0, 4.8), "lab"),
    ("Chloride", "electrolytes", "mmol/L", (96.0, 106.0), (99.0, 105.0), "lab"),
    ("Carbon Dioxide (CO2)", "electrolytes", "mmol/L", (20.0, 29.0), (23.0, 28.0), "lab"),
    ("Calcium", "electrolytes", "mg/dL", (8.7, 10.2), (9.0, 10.0), "lab"),
    ("Magnesium", "electrolytes", "mg/dL", (1.6, 2.3), (1.9, 2.3), "lab"),
    ("Phosphorus", "electrolytes", "mg/dL", (2.5, 4.5), (3.0, 4.0), "lab"),
    # --- thyroid ---------------------------------------------------------
    ("TSH", "thyroid", "mIU/L", (0.45, 4.5), (1.0, 2.5), "lab"),
    ("Free T4", "thyroid", "ng/dL", (0.8, 1.8), (1.0, 1.5), "lab"),
    ("Free T3", "thyroid", "pg/mL", (2.0, 4.4), (3.0, 4.0), "lab"),
    ("Total T4", "thyroid", "ug/dL", (4.5, 12.0), (6.0, 10.0), "lab"),
    ("Reverse T3", "thyroid", "ng/dL", (9.2, 24.1), (9.2, 18.0), "lab"),
    ("TPO Antibodies", "thyroid", "IU/mL", (0.0, 34.0), (0.0, 9.0), "lab"),
    # --- hormones --------------------------------------------------------
    # Male and female testosterone ranges do not overlap, so no combined
    # range is meaningful; the caller picks the entry by the patient's sex.
    ("Total Testosterone (Male)", "hormones", "ng/dL", (264.0, 916.0), (500.0, 900.0), "lab"),
    ("Total Testosterone (Female)", "hormones", "ng/dL", (8.0, 48.0), (15.0, 40.0), "lab"),
    ("Cortisol (AM)", "hormones", "ug/dL", (6.2, 19.4), (10.0, 18.0), "lab"),
    ("Parathyroid Hormone (PTH)", "hormones", "pg/mL", (15.0, 65.0), (20.0, 50.0), "lab"),
    # Sex-combined: roughly men 4.0-15.2, women 4.8-23.3 ng/mL (non-pregnant).
    ("Prolactin", "hormones", "ng/mL", (4.0, 23.3), (5.0, 15.0), "lab"),
    # --- inflammation ----------------------------------------------------
    ("hs-CRP", "inflammation", "mg/L", (0.0, 3.0), (0.0, 1.0), "lab"),
    ("Homocysteine", "inflammation", "umol/L", (0.0, 15.0), (5.0, 9.0), "lab"),
    # Sex/age-combined: roughly men 0-15, women 0-20 mm/h under age 50.
    ("Erythrocyte Sedimentation Rate", "inflammation", "mm/h", (0.0, 20.0), (0.0, 10.0), "lab"),
    ("Fibrinogen", "inflammation", "mg/dL", (200.0, 400.0), (200.0, 300.0), "lab"),
    # --- vitamins-minerals -----------------------------------------------
    ("Vitamin D, 25-Hydroxy", "vitamins-minerals", "ng/mL", (30.0, 100.0), (40.0, 60.0), "lab"),
    ("Vitamin B12", "vitamins-minerals", "pg/mL", (232.0, 1245.0), (500.0, 1000.0), "lab"),
    # Labs publish only a lower bound; the upper bound is a pragmatic cap.
    ("Folate (Serum)", "vitamins-minerals", "ng/mL", (3.0, 30.0), (10.0, 25.0), "lab"),
    # Sex-combined: roughly men 38-169, women 27-159 ug/dL.
    ("Iron", "vitamins-minerals", "ug/dL", (27.0, 169.0), (60.0, 150.0), "lab"),
    ("TIBC", "vitamins-minerals", "ug/dL", (250.0, 450.0), (250.0, 350.0), "lab"),
    ("Transferrin Saturation", "vitamins-minerals", "%", (15.0, 55.0), (25.0, 45.0), "lab"),
    # Sex-combined: roughly men 30-400, women 15-150 ng/mL.
    ("Ferritin", "vitamins-minerals", "ng/mL", (15.0, 300.0), (50.0, 150.0), "lab"),
    ("Zinc", "vitamins-minerals", "ug/dL", (60.0, 130.0), (80.0, 120.0), "lab"),
    # --- vitals (home / wearable devices) --------------------------------
    ("Heart Rate", "vitals", "bpm", (60.0, 100.0), (60.0, 85.0), "sensor"),  # at rest
    # AHA adult range; trained athletes are often below 60 bpm.
    ("Resting Heart Rate", "vitals", "bpm", (60.0, 100.0), (60.0, 70.0), "sensor"),
    # RMSSD; strongly age-dependent and device-dependent, no standard interval.
    ("Heart Rate Variability", "vitals", "ms", (20.0, 150.0), (40.0, 150.0), "sensor"),
    # AHA 2017: normal < 120, elevated 120-129, hypertension >= 130/80.
    ("Systolic Blood Pressure", "vitals", "mmHg", (90.0, 129.0), (90.0, 119.0), "sensor"),
    ("Diastolic Blood Pressure", "vitals", "mmHg", (60.0, 80.0), (60.0, 75.0), "sensor"),
    ("SpO2", "vitals", "%", (95.0, 100.0), (97.0, 100.0), "sensor"),
    ("Body Temperature", "vitals", "degF", (97.0, 99.0), (97.5, 98.8), "sensor"),  # oral
    ("Respiratory Rate", "vitals", "breaths/min", (12.0, 20.0), (12.0, 16.0), "sensor"),
    ("BMI", "vitals", "kg/m2", (18.5, 24.9), (20.0, 24.0), "sensor"),
)


def _build() -> tuple[Mapping[str, Reference], dict[str, Reference]]:
    by_name: dict[str, Reference] = {}
    by_folded: dict[str, Reference] = {}
    for name, category, unit, normal, optimal, kind in _ENTRIES:
        ref = Reference(name, category, unit, normal, optimal, kind)
        folded = name.casefold()
        if folded in by_folded:
            raise ValueError(f"duplicate biomarker name (case-insensitive): {name!r}")
        by_name[name] = ref
        by_folded[folded] = ref
    return types.MappingProxyType(by_name), by_folded


CATALOG: Mapping[str, Reference]
CATALOG, _BY_FOLDED_NAME = _build()
del _build


def lookup(name: str) -> Reference | None:
    """Return the entry named ``name`` (exact, else case-insensitive), or None."""
    ref = CATALOG.get(name)
    if ref is None:
        ref = _BY_FOLDED_NAME.get(name.casefold())
    return ref
