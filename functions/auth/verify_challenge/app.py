"""Cognito Verify Auth Challenge Response trigger: consumes the email link (once, unexpired, bound
to the address)."""

from clinic.services import sign_in
from clinic.settings import AuthTable, check
from clinic.triggers import trigger_entry

check(AuthTable)

handler = trigger_entry(sign_in.verify_auth_challenge)
