"""GET /admin/patients/{userId}/export: all of a patient's data for clinic staff, page by page;
as our JSON, or with ``format=fhir`` as FHIR R4 Bundles (staff only; every page audited)."""

from clinic.api.fhir import ExportFormat, fhir_response, json_or_fhir
from clinic.api.params import Cursor, Limit, UserId
from clinic.entry.http import current_user, lambda_entry, make_resolver
from clinic.models.common import PAGE_LIMIT_MAX
from clinic.models.export import ExportPage
from clinic.services import export

app = make_resolver(staff=True)


@app.get("/admin/patients/<userId>/export", summary="Export all of a patient's data; follow nextCursor (or, "
         "as FHIR, the next link) until complete", responses=json_or_fhir(ExportPage, 404))
def export_patient(user_id: UserId, limit: Limit = PAGE_LIMIT_MAX, cursor: Cursor = None,
                   format: ExportFormat = "json") -> ExportPage | str:  # noqa: A002
    found = export.for_staff(current_user(app), user_id, fhir=format == "fhir", limit=limit, cursor=cursor)
    return fhir_response(found) if isinstance(found, dict) else found


handler = lambda_entry(app)
