"""HTTP layer: a handler imports everything it needs from here."""

from clinic.api.auth import Caller
from clinic.api.resolver import (
    current_admin,
    current_user,
    error_response,
    lambda_entry,
    make_resolver,
    path_text,
    responses,
)

__all__ = ["Caller", "current_admin", "current_user", "error_response", "lambda_entry", "make_resolver", "path_text",
           "responses"]
