"""Routes that answer in our JSON or, with ``format=fhir``, in FHIR's own media type (the
exports): the query parameter, the documented responses (both media types for 200) and the
FHIR response itself. One definition for every such route."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from clinic.entry.http import responses

FHIR_JSON = "application/fhir+json"

ExportFormat = Annotated[Literal["json", "fhir"], Query(
    description="`fhir`: each page is a FHIR R4 Bundle (type collection, application/fhir+json) whose `next` "
                "link carries the cursor")]


def json_or_fhir(model: Any, *errors: int) -> dict[int, Any]:
    """``responses(...)`` whose 200 is ``model`` as JSON, or a FHIR R4 Bundle as FHIR JSON."""
    documented = responses(*errors)
    documented[200] = {"description": "OK", "content": {
        "application/json": {"model": model},
        FHIR_JSON: {"schema": {"type": "object", "description": "A FHIR R4 Bundle of type collection"}},
    }}
    return documented


def fhir_response(bundle: dict[str, Any]) -> Response[str]:
    return Response(200, FHIR_JSON, json.dumps(bundle))
