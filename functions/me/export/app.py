"""GET /me/export: all of the caller's own data (HIPAA right of access), page by page; as our
JSON, or with ``format=fhir`` as FHIR R4 Bundles."""

from clinic.api.fhir import ExportFormat, fhir_response, json_or_fhir
from clinic.api.params import Cursor, Limit
from clinic.entry.http import current_user, lambda_entry, make_resolver
from clinic.models.common import PAGE_LIMIT_MAX
from clinic.models.export import ExportPage
from clinic.services import export

app = make_resolver()


@app.get("/me/export", summary="Export all of the caller's data (profile, readings, appointments, medications, "
         "daily rollups); follow nextCursor until complete", responses=json_or_fhir(ExportPage))
def export_me(limit: Limit = PAGE_LIMIT_MAX, cursor: Cursor = None,
              format: ExportFormat = "json") -> ExportPage | str:  # noqa: A002
    if format == "fhir":
        return fhir_response(export.fhir_page(current_user(app), limit=limit, cursor=cursor))
    return export.page(current_user(app), limit=limit, cursor=cursor)


handler = lambda_entry(app, current_account=True)
