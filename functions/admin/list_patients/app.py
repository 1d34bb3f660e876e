"""GET /admin/patients: patients newest first, the one with an exact email, or those whose name
has a word starting with what staff typed (staff only; every patient listed is recorded in the
audit log)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from clinic import names
from clinic.api.params import Cursor, Limit
from clinic.entry.http import current_user, lambda_entry, make_resolver, responses
from clinic.models.common import PAGE_LIMIT_DEFAULT
from clinic.models.users import UserPage
from clinic.services import patients
from clinic.settings import PatientNamesTable, check

check(PatientNamesTable)

app = make_resolver(staff=True)

Email = Annotated[str | None, Query(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$",
                                    description="Exact (case-insensitive) email look-up; not with `name`")]
Name = Annotated[str | None, Query(
    min_length=names.QUERY_MIN, max_length=names.QUERY_MAX, pattern=names.QUERY_PATTERN,
    description="The start of a word of the patient's current name, given or family (case and accents "
                "ignored: `pat` finds Ava Patel); several words must each start a word of the name. "
                "Letters, spaces, hyphens and apostrophes, with two letters in a row; not with `email`")]


@app.get("/admin/patients", summary="List patients, find one by email, or search them by name",
         responses=responses())
def list_patients(email: Email = None, name: Name = None, limit: Limit = PAGE_LIMIT_DEFAULT,
                  cursor: Cursor = None) -> UserPage:
    return patients.list_patients(current_user(app), email=email, name=name, limit=limit, cursor=cursor)


handler = lambda_entry(app)
