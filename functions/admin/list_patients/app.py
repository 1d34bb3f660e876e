"""GET /admin/patients: patients newest first, or the one with an exact email (staff only;
every patient listed is recorded in the audit log)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from clinic.api.params import Cursor, Limit
from clinic.entry.http import current_user, lambda_entry, make_resolver, responses
from clinic.models.common import PAGE_LIMIT_DEFAULT
from clinic.models.users import UserPage
from clinic.services import patients

app = make_resolver(staff=True)

Email = Annotated[str | None, Query(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$",
                                    description="Exact (case-insensitive) email look-up")]


@app.get("/admin/patients", summary="List patients, or find one by email", responses=responses())
def list_patients(email: Email = None, limit: Limit = PAGE_LIMIT_DEFAULT, cursor: Cursor = None) -> UserPage:
    return patients.list_patients(current_user(app), email=email, limit=limit, cursor=cursor)


handler = lambda_entry(app)
