"""PUT /admin/users/{userId}/access: disable an account or enable it again; the Users row's mark
(which every write, the export, staff routes and live updates check) and Cognito change together
(audited in the row's transaction)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from clinic.api.params import UserId
from clinic.entry.http import current_user, lambda_entry, make_resolver, responses
from clinic.models.users import AccessChange, AccountAccess
from clinic.services import patients
from clinic.settings import LiveConnections, LiveDelivery, UserPool, check

check(UserPool, LiveConnections, LiveDelivery)

app = make_resolver(staff=True)


@app.put("/admin/users/<userId>/access", summary="Disable or enable a user's account", responses=responses(404, 409))
def set_user_access(user_id: UserId, change: Annotated[AccessChange, Body()]) -> AccountAccess:
    return patients.change_access(current_user(app), user_id, change.enabled)


handler = lambda_entry(app)
