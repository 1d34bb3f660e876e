"""GET /me/access-log: which clinic staff read or changed which kind of the caller's records,
when and why; newest first (the HIPAA accounting of disclosures)."""

from clinic.api.params import Cursor, Limit
from clinic.entry.http import current_user, lambda_entry, make_resolver, responses
from clinic.models.audit import AccessLogPage
from clinic.models.common import PAGE_LIMIT_DEFAULT
from clinic.services import access_log

app = make_resolver()


@app.get("/me/access-log", summary="Who read or changed the caller's records, newest first", responses=responses())
def list_access_log(limit: Limit = PAGE_LIMIT_DEFAULT, cursor: Cursor = None) -> AccessLogPage:
    return access_log.page(current_user(app), limit=limit, cursor=cursor)


handler = lambda_entry(app)
