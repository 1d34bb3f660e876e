"""GET /me/export: all of the caller's own data (HIPAA right of access), page by page."""

from clinic.api import current_user, lambda_entry, make_resolver, responses
from clinic.api.params import Cursor, Limit
from clinic.models.common import PAGE_LIMIT_MAX
from clinic.models.export import ExportPage
from clinic.services import export

app = make_resolver()


@app.get("/me/export", summary="Export all of the caller's data (profile, readings, appointments, medications, "
         "daily rollups); follow nextCursor until complete", responses=responses())
def export_me(limit: Limit = PAGE_LIMIT_MAX, cursor: Cursor = None) -> ExportPage:
    return export.page(current_user(app), limit=limit, cursor=cursor)


handler = lambda_entry(app, current_account=True)
