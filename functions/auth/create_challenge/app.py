"""Cognito Create Auth Challenge trigger: presents the email-link challenge (the link itself was sent
by POST /auth/email-link)."""

from clinic.entry.trigger import trigger_entry
from clinic.services import sign_in

handler = trigger_entry(sign_in.create_auth_challenge)
