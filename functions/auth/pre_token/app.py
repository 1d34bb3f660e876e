"""Cognito Pre Token Generation trigger (V1_0): the ``role`` claim from the ``admin`` group."""

from clinic.services import sign_in
from clinic.triggers import trigger_entry

handler = trigger_entry(sign_in.pre_token_generation)
