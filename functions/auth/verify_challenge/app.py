"""Cognito Verify Auth Challenge Response trigger: consumes the email link (once, unexpired, bound
to the address)."""

from clinic.entry.trigger import trigger_entry
from clinic.services import sign_in
from clinic.settings import AuthTable, check

check(AuthTable)

handler = trigger_entry(sign_in.verify_auth_challenge)
