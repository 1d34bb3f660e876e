"""Cognito Pre Sign-up trigger: links a Google sign-in to the native user with the same verified
email (creating it if needed), and confirms an email-link sign-up only with a live link."""

from clinic.entry.trigger import trigger_entry
from clinic.services import sign_in
from clinic.settings import AuthTable, PatientNamesTable, check

check(AuthTable, PatientNamesTable)

handler = trigger_entry(sign_in.pre_sign_up)
