"""The one resolver factory every HTTP function uses: validation, the error contract of the
design brief (section 5), security headers, and the caller's identity.

Errors: ``{"error": {"code", "message", "details"}}``. Domain errors map to their status here
and nowhere else; request validation failures are 400 with the failing fields (never the values);
anything unexpected is a 500 whose message says nothing and whose log says only where.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Any, cast

from aws_lambda_powertools.event_handler.api_gateway import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.logging import correlation_paths

from clinic.api.auth import Caller, caller_from_claims, require_admin
from clinic.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound, RateLimited, Unauthorized
from clinic.observability import error_fingerprint, logger, metrics

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


def error_response(status: int, code: str, message: str, details: list[dict[str, Any]] | None = None) -> Response[Any]:
    return Response(
        status_code=status,
        content_type="application/json",
        body={"error": {"code": code, "message": message, "details": details or []}},
    )


def _validation_details(errors: Any) -> list[dict[str, Any]]:
    details = []
    for err in errors:
        loc = [str(part) for part in err.get("loc", ())]
        where = loc[0] if loc else "request"
        details.append({"in": where, "field": ".".join(loc[1:]) or where, "issue": err.get("type", "invalid"),
                        "message": err.get("msg", "invalid")})
    return details


def make_resolver(*, validate: bool = True) -> APIGatewayRestResolver:
    """The resolver for one function. ``validate=False`` only for routes that take no input at
    all (no path, query or body parameters): Powertools' validation machinery costs ~60 ms of
    cold start and would check nothing there (docs/decisions.md). OpenAPI generation works
    either way."""
    app = APIGatewayRestResolver(enable_validation=validate)

    @app.exception_handler(DomainError)
    def _domain(error: DomainError) -> Response[Any]:
        status = STATUS.get(type(error), 500)
        return error_response(status, error.code, error.message, error.details)

    @app.exception_handler(RequestValidationError)
    def _invalid(error: RequestValidationError) -> Response[Any]:
        return error_response(400, "validation_error", "the request is invalid", _validation_details(error.errors()))

    @app.not_found
    def _no_route(_: NotFoundError) -> Response[Any]:
        return error_response(404, "not_found", "no such resource")

    @app.exception_handler(Exception)
    def _unexpected(error: Exception) -> Response[Any]:
        logger.error("unhandled error", extra=error_fingerprint(error))
        metrics.add_metric(name="UnhandledErrors", unit="Count", value=1)
        return error_response(HTTPStatus.INTERNAL_SERVER_ERROR, "internal", "something went wrong; try again")

    return app


def current_user(app: APIGatewayRestResolver) -> Caller:
    """The verified caller. Identity never comes from a path, query or body."""
    context = app.current_event.raw_event.get("requestContext") or {}
    authorizer = context.get("authorizer") or {}
    return caller_from_claims(authorizer.get("claims"))


def current_admin(app: APIGatewayRestResolver) -> Caller:
    return require_admin(current_user(app))


def lambda_entry(app: APIGatewayRestResolver) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """The Lambda handler for ``app``: structured logs with the request id (never the event),
    metrics flushed per invocation, security headers on every response."""

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
    @metrics.log_metrics(capture_cold_start_metric=True)
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        result = app.resolve(event, context)
        headers = result.setdefault("multiValueHeaders", {})
        for name, value in SECURITY_HEADERS.items():
            headers[name] = [value]
        return result

    return cast(Callable[[dict[str, Any], Any], dict[str, Any]], handler)
