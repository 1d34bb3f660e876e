"""GET /admin/audit-events/export: the whole audit log in a time range (at most 31 days per
request), oldest first, page by page; the export itself is audited."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from clinic.api.params import Cursor, Limit
from clinic.entry.http import current_user, lambda_entry, make_resolver, responses
from clinic.models.audit import AuditExportPage
from clinic.models.common import MAX_EPOCH_MS, PAGE_LIMIT_MAX
from clinic.services import audit

app = make_resolver(staff=True)

Since = Annotated[int, Query(alias="from", ge=0, le=MAX_EPOCH_MS, description="Epoch ms, inclusive")]
Until = Annotated[int, Query(alias="to", ge=0, le=MAX_EPOCH_MS, description="Epoch ms, inclusive")]


@app.get("/admin/audit-events/export", summary="Every audit record in a time range (at most 31 days), oldest first",
         responses=responses())
def export_audit_events(
    from_: Since, to: Until, limit: Limit = PAGE_LIMIT_MAX, cursor: Cursor = None
) -> AuditExportPage:
    return audit.export_events(current_user(app), from_=from_, to=to, limit=limit, cursor=cursor)


handler = lambda_entry(app)
