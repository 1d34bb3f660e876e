"""The identifiers a lab knows a patient by (an MRN: the assigning ``system`` and its ``value``)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints, field_validator

from clinic.models.base import Input, Shape

MAX_IDENTIFIERS = 10

# A FHIR Identifier.system is a URI (``urn:oid:...``, ``https://lab.example/mrn``); the value an
# opaque code. Neither may hold "|" (the table key's separator) nor whitespace.
# (printable ASCII spelled out: "\s" means other characters in Python than in JSON Schema's regex)
IdentifierSystem = Annotated[str, StringConstraints(min_length=3, max_length=256, pattern=r"^[A-Za-z][!-{}~]*$")]
IdentifierValue = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")]


class IdentifierInput(Input):
    system: IdentifierSystem
    value: IdentifierValue


class IdentifiersChange(Input):
    """The patient's whole set of identifiers (replaces the previous set): one per system."""

    identifiers: list[IdentifierInput] = Field(max_length=MAX_IDENTIFIERS)

    @field_validator("identifiers")
    @classmethod
    def _one_per_system(cls, identifiers: list[IdentifierInput]) -> list[IdentifierInput]:
        # (a 400 on the field "identifiers": JSON Schema cannot say "unique by system")
        systems = [i.system for i in identifiers]
        if len(set(systems)) != len(systems):
            raise ValueError("one identifier per system")
        return identifiers


class PatientIdentifier(Shape):
    system: str
    value: str


class PatientIdentifiers(Shape):
    user_id: str
    identifiers: list[PatientIdentifier]
