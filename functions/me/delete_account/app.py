"""DELETE /me: delete the caller's account (sign out everywhere, Cognito user, profile); clinical
records follow the retention setting (docs/decisions.md)."""

from aws_lambda_powertools.event_handler.api_gateway import Response

from clinic.entry.http import current_user, lambda_entry, make_resolver, responses
from clinic.services import accounts
from clinic.settings import AuthTable, Erasure, LiveConnections, LiveDelivery, PatientNamesTable, UserPool, check

check(AuthTable, Erasure, PatientNamesTable, UserPool, LiveConnections, LiveDelivery)

app = make_resolver(validate=False)  # no input to validate: see make_resolver


@app.delete("/me", status_code=204, summary="Delete my account",
            responses=responses(status=204, description="Account deleted"))
def delete_me() -> Response[None]:
    accounts.delete_account(current_user(app))
    return Response(status_code=204, body=None)


handler = lambda_entry(app)
