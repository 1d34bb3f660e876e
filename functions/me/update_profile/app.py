"""PATCH /me: the caller changes their display name, picture or appointment reminders (nothing else)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from clinic.entry.http import current_user, lambda_entry, make_resolver, responses
from clinic.models.users import ProfileChange, User
from clinic.services import users
from clinic.settings import AuthTable, PatientNamesTable, check

check(AuthTable, PatientNamesTable)

app = make_resolver()


@app.patch("/me", summary="Change the caller's name, image or appointment reminders", responses=responses(409))
def update_profile(change: Annotated[ProfileChange, Body()]) -> User:
    return users.update_profile(current_user(app), change)


handler = lambda_entry(app)
