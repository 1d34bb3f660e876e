"""POST /auth/email-link (no token): send a sign-in link. Always 202 with the same body, whether
or not the address has an account; 429 when this address or IP asked too often."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from clinic.entry.http import lambda_entry, make_resolver, responses
from clinic.models.auth import EmailLinkAccepted, EmailLinkRequest
from clinic.services import email_links
from clinic.settings import AuthTable, EmailLinks, Mail, check

check(AuthTable, EmailLinks, Mail)

app = make_resolver()


@app.post("/auth/email-link", status_code=202, summary="Email a single-use sign-in link (sign-in or sign-up)",
          responses=responses(status=202, description="Accepted, whether or not the address has an account"))
def request_email_link(request: Annotated[EmailLinkRequest, Body()]) -> EmailLinkAccepted:
    # API Gateway sets sourceIp from the connection; a client cannot choose it.
    source_ip = app.current_event.request_context.identity.source_ip
    email_links.request_link(request.email, source_ip)
    return EmailLinkAccepted()


handler = lambda_entry(app)
