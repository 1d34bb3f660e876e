"""Model bases. Python names are snake_case; the wire and the tables use camelCase aliases."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class Shape(BaseModel):
    """Outputs and persisted items: built from trusted data, serialized by camelCase alias."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_alias=True,
        validate_by_name=True,
        serialize_by_alias=True,
        extra="ignore",
        frozen=True,
    )


def one_given(**json_types: str) -> dict[str, Any]:
    """JSON Schema for "at least one of these fields, not null" (a change that changes nothing is a
    400): the ``json_schema_extra`` of a model whose validator says the same."""
    return {"anyOf": [{"required": [name], "properties": {name: {"type": kind}}} for name, kind in json_types.items()]}


class Input(BaseModel):
    """Request bodies: camelCase only, unknown fields rejected, no silent coercion ("5" is not
    an int, true is not a number). Enum fields are declared ``Annotated[E, Strict(False)]``:
    a strict enum would refuse the JSON string that names a member."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_alias=True,
        validate_by_name=False,
        serialize_by_alias=True,
        extra="forbid",
        strict=True,
        str_strip_whitespace=True,
        frozen=True,
    )
