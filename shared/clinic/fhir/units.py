"""UCUM units, as far as the catalog needs them: each unit's dimension and its exact factor to
the dimension's base unit, so a value converts only between units of one dimension, by a ratio
that is defined (never estimated). Amount-of-substance and mass concentrations convert into each
other only through an analyte's molar mass (``clinic.fhir.codes``).

Factors are ``Fraction``s: 18.0156 mg/dL per mmol/L is computed exactly, then rounded once.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Final

MASS_CONC: Final = "mass concentration"          # base g/L
SUBSTANCE_CONC: Final = "substance concentration"  # base mol/L
CATALYTIC_CONC: Final = "catalytic concentration"  # base U/L
ARBITRARY_CONC: Final = "arbitrary concentration"  # base [IU]/L
NUMBER_CONC: Final = "number concentration"      # base 1/L
FRACTION: Final = "fraction"                      # base 1
VOLUME: Final = "volume"                          # base L
MASS: Final = "mass"                              # base g
RATE_PER_AREA: Final = "filtration rate"          # base mL/min/{1.73_m2}
MASS_RATIO: Final = "mass ratio"                  # base g/g
LENGTH_RATE: Final = "length per time"            # base mm/h


@dataclass(frozen=True, slots=True)
class Unit:
    code: str  # UCUM case-sensitive code
    dimension: str
    factor: Fraction  # value in this unit * factor = value in the base unit


def _u(code: str, dimension: str, factor: Fraction | int | str) -> Unit:
    return Unit(code, dimension, Fraction(factor))


_UNITS = (
    _u("g/L", MASS_CONC, 1), _u("g/dL", MASS_CONC, 10), _u("mg/dL", MASS_CONC, "1/100"),
    _u("mg/L", MASS_CONC, "1/1000"), _u("ug/dL", MASS_CONC, "1/100000"), _u("ug/L", MASS_CONC, "1/1000000"),
    _u("ng/mL", MASS_CONC, "1/1000000"), _u("ng/dL", MASS_CONC, "1/100000000"),
    _u("pg/mL", MASS_CONC, "1/1000000000"),
    _u("mol/L", SUBSTANCE_CONC, 1), _u("mmol/L", SUBSTANCE_CONC, "1/1000"), _u("umol/L", SUBSTANCE_CONC, "1/1000000"),
    _u("nmol/L", SUBSTANCE_CONC, "1/1000000000"), _u("pmol/L", SUBSTANCE_CONC, "1/1000000000000"),
    _u("U/L", CATALYTIC_CONC, 1), _u("[IU]/L", ARBITRARY_CONC, 1), _u("m[IU]/L", ARBITRARY_CONC, "1/1000"),
    _u("u[IU]/mL", ARBITRARY_CONC, "1/1000"), _u("[IU]/mL", ARBITRARY_CONC, 1000),
    _u("10*3/uL", NUMBER_CONC, 10**9), _u("10*9/L", NUMBER_CONC, 10**9), _u("10*6/uL", NUMBER_CONC, 10**12),
    _u("10*12/L", NUMBER_CONC, 10**12),
    _u("%", FRACTION, "1/100"), _u("1", FRACTION, 1), _u("{ratio}", FRACTION, 1),
    _u("fL", VOLUME, "1/1000000000000000"),
    _u("pg", MASS, "1/1000000000000"),
    _u("mL/min/{1.73_m2}", RATE_PER_AREA, 1),
    _u("mg/g", MASS_RATIO, "1/1000"),
    _u("mm/h", LENGTH_RATE, 1),
)
UNITS: Final = {unit.code: unit for unit in _UNITS}


def unit(code: str) -> Unit | None:
    return UNITS.get(code)


def factor(source: Unit, target: Unit, molar_mass: Fraction | None = None) -> Fraction | None:
    """The exact factor from ``source`` to ``target``, or None when none is defined: same
    dimension; or mass <-> substance concentration through ``molar_mass`` (g/mol)."""
    if source.dimension == target.dimension:
        return source.factor / target.factor
    if molar_mass is not None:
        if (source.dimension, target.dimension) == (SUBSTANCE_CONC, MASS_CONC):
            return source.factor * molar_mass / target.factor
        if (source.dimension, target.dimension) == (MASS_CONC, SUBSTANCE_CONC):
            return source.factor / molar_mass / target.factor
    return None


def convert(value: float, factor_: Fraction) -> float:
    """``value`` times an exact factor, rounded once to 6 significant digits (a lab's result has
    at most 4; this keeps a converted value stable across a round trip's float noise)."""
    converted = Fraction(value) * factor_
    return float(f"{float(converted):.6g}")
