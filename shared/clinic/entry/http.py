"""The entry of every HTTP function: the resolver (validation, the error contract of the API
(``clinic.models.errors``), security headers), the caller's identity, and the Lambda handler.

A route is a patient route or a staff route, said once: ``make_resolver(staff=True)`` documents
the 403 on its route, ``lambda_entry`` refuses a non-staff caller before reading any input, and
``current_user(app)`` (the same call on either kind) is the verified caller, staff there.

Errors: ``{"error": {"code", "message", "details"}}``. Domain errors map to their status here
and nowhere else; request validation failures are 400 with the failing fields (never the values);
anything unexpected is a 500 whose message says nothing and whose log says only where.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote

from aws_lambda_powertools.event_handler.api_gateway import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestUnsupportedContentType, RequestValidationError
from aws_lambda_powertools.logging import correlation_paths

from clinic.api import guards
from clinic.entry.failure import observed, report_unexpected
from clinic.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound, RateLimited, Unauthorized
from clinic.identity import Caller, caller_from_claims, require_admin
from clinic.models.errors import ErrorBody
from clinic.services import users
from clinic.settings import Cors, get_settings

STATUS: dict[type[DomainError], int] = {
    InvalidInput: 400,
    Unauthorized: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    RateLimited: 429,
}

SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
}


def status_of(error: DomainError) -> int:
    """The HTTP status of a domain error (subclasses map like their base: a lost conditional
    write is a ``Conflict``)."""
    return next((status for kind, status in STATUS.items() if isinstance(error, kind)), 500)


def error_response(status: int, code: str, message: str, details: list[dict[str, Any]] | None = None,
                   headers: dict[str, str] | None = None) -> Response[Any]:
    return Response(
        status_code=status,
        content_type="application/json",
        body={"error": {"code": code, "message": message, "details": details or []}},
        headers=headers,
    )


def _validation_details(errors: Any) -> list[dict[str, Any]]:
    details = []
    for err in errors:
        loc = [str(part) for part in err.get("loc", ())]
        where = loc[0] if loc else "request"
        details.append({"in": where, "field": ".".join(loc[1:]) or where, "issue": err.get("type", "invalid"),
                        "message": err.get("msg", "invalid")})
    return details


ERROR_DESCRIPTIONS = {
    400: "The request is invalid: `details` names each field and issue (never the value)",
    401: "No valid ID token (answered by the API Gateway authorizer)",
    403: "The caller is not clinic staff",
    404: "No such resource for this caller (another user's resource is also a 404)",
    409: "The resource changed meanwhile, or its state does not allow this change",
    429: "Too many requests",
    500: "Something went wrong; the message says nothing more",
}
RETRY_AFTER = {"description": "Seconds to wait before asking again", "required": True,
               "schema": {"type": "integer", "minimum": 1}}
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
CHANGE_METHODS = BODY_METHODS | {"DELETE"}


def responses(*errors: int, status: int = 200, description: str = "OK") -> dict[int, Any]:
    """The OpenAPI responses of a route: its success and every error it can answer, all errors
    in the one error shape. 400, 401, 429 and 500 are possible everywhere; a staff resolver adds
    the 403 to each of its routes."""
    documented: dict[int, Any] = {status: {"description": description}}
    for code in sorted({400, 401, 429, 500, *errors}):
        documented[code] = error_document(code)
    return documented


def error_document(code: int) -> dict[str, Any]:
    return {
        "description": ERROR_DESCRIPTIONS[code],
        "content": {"application/json": {"model": ErrorBody}},
        **({"headers": {"Retry-After": RETRY_AFTER}} if code == 429 else {}),
    }


class Resolver(APIGatewayRestResolver):
    """A Powertools resolver that knows whether its route is for staff: each route it registers
    documents the 403 (in status order, as ``responses`` lists them)."""

    def __init__(self, *, staff: bool, validate: bool) -> None:
        super().__init__(enable_validation=validate)
        self.staff = staff

    def route(self, rule: str, method: Any, cors: bool | None = None, compress: bool = False,
              cache_control: str | None = None, summary: str | None = None, description: str | None = None,
              responses: dict[int, Any] | None = None, *args: Any, **kwargs: Any) -> Any:
        if self.staff:
            documented = {**(responses or {}), 403: error_document(403)}
            responses = {code: documented[code] for code in sorted(documented)}
        return super().route(rule, method, cors, compress, cache_control, summary, description, responses,
                             *args, **kwargs)


def make_resolver(*, staff: bool = False, validate: bool = True) -> Resolver:
    """The resolver for one function. ``staff=True`` for a staff route (see the module's doc).
    ``validate=False`` only for routes that take no input at all (no path, query or body
    parameters): Powertools' validation machinery costs ~60 ms of cold start and would check
    nothing there (docs/decisions.md). OpenAPI generation works either way."""
    app = Resolver(staff=staff, validate=validate)

    @app.exception_handler(DomainError)
    def _domain(error: DomainError) -> Response[Any]:
        retry = {"Retry-After": str(error.retry_after_s)} if isinstance(error, RateLimited) else None
        return error_response(status_of(error), error.code, error.message, error.details, headers=retry)

    @app.exception_handler(RequestValidationError)
    def _invalid(error: RequestValidationError) -> Response[Any]:
        return error_response(400, "validation_error", "the request is invalid", _validation_details(error.errors()))

    @app.exception_handler(RequestUnsupportedContentType)
    def _unsupported(_: RequestUnsupportedContentType) -> Response[Any]:
        return _unsupported_media()

    @app.not_found
    def _no_route(_: NotFoundError) -> Response[Any]:
        return error_response(404, "not_found", "no such resource")

    @app.exception_handler(Exception)
    def _unexpected(error: Exception) -> Response[Any]:
        report_unexpected(error, entry="http")
        return error_response(HTTPStatus.INTERNAL_SERVER_ERROR, "internal", "something went wrong; try again")

    return app


def current_user(app: Resolver) -> Caller:
    """The verified caller (on a staff resolver, staff: ``lambda_entry`` refused anyone else
    already). Identity never comes from a path, query or body."""
    caller = caller_from_claims(_claims(app.current_event.raw_event))
    return require_admin(caller) if app.staff else caller


def lambda_entry(app: Resolver, *, current_account: bool = False) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """The Lambda handler for ``app``: structured logs with the request id (never the event),
    metrics flushed per invocation, security headers on every response. A staff resolver's route
    answers a non-admin with 403 before looking at any input (authorization before validation).

    The account behind the token is checked (``users.check_account``: a deleted account is a
    401, a demoted admin a 403) on every staff route, every request that changes something, and
    on ``current_account`` routes (the patient's export); other reads rely on the ID token's
    short lifetime (template ``IdTokenMinutes``; docs/decisions.md)."""
    declared = cache(lambda: guards.declared(app))  # on the first request: routes are registered by then

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        refused = _refuse_early(event, app.staff, declared())
        if refused is None and (app.staff or current_account or event.get("httpMethod") in CHANGE_METHODS):
            refused = _refuse_stale_account(event, staff=app.staff)
        result = refused if refused is not None else app.resolve(event, context)
        headers = result.setdefault("multiValueHeaders", {})
        for name, value in SECURITY_HEADERS.items():
            headers[name] = [value]
        origin = get_settings(Cors).allowed_origin
        if origin:  # the same single origin as API Gateway's preflight and gateway responses
            headers["Access-Control-Allow-Origin"] = [origin]
        return result

    return observed(handler, correlation_id_path=correlation_paths.API_GATEWAY_REST)


def _claims(event: dict[str, Any]) -> Any:
    return ((event.get("requestContext") or {}).get("authorizer") or {}).get("claims")


def _refuse_early(event: dict[str, Any], staff: bool, allowed: guards.Declared) -> dict[str, Any] | None:
    """The response to a request refused before routing (not staff on a staff route; a body
    that is not JSON, too large, too deep or not UTF-8; a query parameter or a body the route
    does not declare), or None."""
    try:
        if staff:
            require_admin(caller_from_claims(_claims(event)))
        if _not_json(event):
            return _as_result(_unsupported_media())
        guards.body_text(event)
        guards.only_declared(event, allowed)
    except DomainError as error:
        return _as_result(error_response(status_of(error), error.code, error.message, error.details))
    return None


def _refuse_stale_account(event: dict[str, Any], *, staff: bool) -> dict[str, Any] | None:
    """401 or 403 when the token's account was deleted or demoted since the token was issued.
    A request without a verified caller (the public sign-in link route) has no account to check."""
    claims = _claims(event)
    if claims is None:
        return None
    try:
        users.check_account(caller_from_claims(claims), staff=staff)
    except DomainError as error:
        return _as_result(error_response(status_of(error), error.code, error.message))
    return None


def _as_result(response: Response[Any]) -> dict[str, Any]:
    return {
        "statusCode": response.status_code,
        "body": json.dumps(response.body),
        "isBase64Encoded": False,
        "multiValueHeaders": {"Content-Type": ["application/json"]},
    }


def _unsupported_media() -> Response[Any]:
    return error_response(
        400,
        "validation_error",
        "the request body must be JSON",
        [{"in": "header", "field": "Content-Type", "issue": "unsupported_media_type"}],
    )


def _not_json(event: dict[str, Any]) -> bool:
    """A body sent as anything but JSON (bodies are JSON only; Powertools would try to parse
    forms and multipart, and fail on some of them with an unexpected error)."""
    if event.get("httpMethod") not in BODY_METHODS or not event.get("body"):
        return False
    headers = event.get("headers") or {}
    content_type = next((str(v) for k, v in headers.items() if k.lower() == "content-type"), "")
    return bool(content_type.strip()) and not content_type.strip().lower().startswith("application/json")


def path_text(raw: str) -> str:
    """A free-text path parameter, decoded once. A REST API hands the function the path still
    percent-encoded (a biomarker name like "Vitamin D, 25-Hydroxy" or "BUN/Creatinine Ratio"
    arrives as %20, %2C, %2F), and the resolver matches routes on that path."""
    return unquote(raw)
