"""GET /me/export: all of the caller's own data (HIPAA right of access), page by page; as our
JSON, or with ``format=fhir`` as FHIR R4 Bundles."""

import json
from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from clinic.api import current_user, lambda_entry, make_resolver, responses
from clinic.api.params import Cursor, Limit
from clinic.models.common import PAGE_LIMIT_MAX
from clinic.models.export import ExportPage
from clinic.services import export

app = make_resolver()

Format = Annotated[Literal["json", "fhir"], Query(description="`fhir`: each page is a FHIR R4 Bundle (type "
                                                              "collection, application/fhir+json) whose `next` "
                                                              "link carries the cursor")]


@app.get("/me/export", summary="Export all of the caller's data (profile, readings, appointments, medications, "
         "daily rollups); follow nextCursor until complete", responses=responses())
def export_me(limit: Limit = PAGE_LIMIT_MAX, cursor: Cursor = None,
              format: Format = "json") -> ExportPage | str:  # noqa: A002
    if format == "fhir":
        # FHIR's own media type; the body is the serialized Bundle (validated as FHIR in the tests)
        bundle = export.fhir_page(current_user(app), limit=limit, cursor=cursor)
        return Response(200, "application/fhir+json", json.dumps(bundle))
    return export.page(current_user(app), limit=limit, cursor=cursor)


handler = lambda_entry(app)
