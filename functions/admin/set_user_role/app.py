"""PUT /admin/users/{userId}/role: make a user a patient or clinic staff; the Users row and the
Cognito `admin` group change together (audited in the row's transaction)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from clinic.api.params import UserId
from clinic.entry.http import current_user, lambda_entry, make_resolver, responses
from clinic.models.users import RoleChange, User
from clinic.services import patients
from clinic.settings import PatientNamesTable, UserPool, check

check(PatientNamesTable, UserPool)

app = make_resolver(staff=True)


@app.put("/admin/users/<userId>/role", summary="Set a user's role", responses=responses(404, 409))
def set_user_role(user_id: UserId, change: Annotated[RoleChange, Body()]) -> User:
    return patients.change_role(current_user(app), user_id, change.role)


handler = lambda_entry(app)
