"""A local API Gateway: routes from ``template.yaml``, Cognito JWT verification, REST proxy
events, and the functions' own handlers called in-process."""

from __future__ import annotations

import base64
import os
import re
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit, urlunsplit

from clinic.entry.http import SECURITY_HEADERS
from clinic.observability import error_fingerprint
from clinic_local import edge, template
from clinic_local.authorizer import CognitoAuthorizer, as_rest_claims
from clinic_local.errors import error_body
from clinic_local.webapp import WebApp

MAX_BODY_BYTES = 256 * 1024
JSON_HEADERS = {"Content-Type": ["application/json"]}
LocalPost = Callable[[bytes | None], tuple[int, bytes]]  # body -> (status, JSON payload)
# A local stand-in for an AWS service the page calls directly (the user pool's API): it speaks
# that service's protocol. (method, query, headers, body) -> (status, headers, payload)
LocalService = Callable[[str, str, dict[str, str], bytes | None], tuple[int, dict[str, list[str]], bytes]]
STAGE = "local"
# What API Gateway's CORS preflight (template: ClinicApi Cors) allows.
PREFLIGHT_HEADERS = {
    "Access-Control-Allow-Methods": ["GET,POST,PUT,PATCH,DELETE,OPTIONS"],
    "Access-Control-Allow-Headers": ["Authorization,Content-Type"],
    "Access-Control-Max-Age": ["600"],
}


def with_security_headers(headers: dict[str, list[str]]) -> dict[str, list[str]]:
    """Every response the runner sends, including those it makes itself (401, 404, 413, 502,
    CORS preflight), carries the same security headers as the functions' responses."""
    present = {key.lower() for key in headers}
    return {**headers, **{k: [v] for k, v in SECURITY_HEADERS.items() if k.lower() not in present}}


@dataclass(frozen=True)
class CompiledRoute:
    route: template.Route
    pattern: re.Pattern[str]

    @classmethod
    def of(cls, route: template.Route) -> CompiledRoute:
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(route.path))
        return cls(route, re.compile(f"^{regex}$"))


class LambdaContext:
    """The attributes of Lambda's context object that Powertools and our code read."""

    def __init__(self, function_name: str) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = 1024
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:000000000000:function:{function_name}"
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "local"
        self._deadline = time.monotonic() + 10

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class Gateway:
    """Route, authorize, build the event, invoke. One invocation at a time, as one Lambda
    instance would (handlers keep per-request state in module globals, as on Lambda)."""

    def __init__(self, authorizer: CognitoAuthorizer,
                 extra_routes: dict[str, Callable[[], tuple[int, bytes]]] | None = None,
                 local_posts: dict[str, LocalPost] | None = None, web: WebApp | None = None,
                 services: dict[str, LocalService] | None = None) -> None:
        self.authorizer = authorizer
        self.web = web  # the demo dashboard at /app/
        self.routes = [CompiledRoute.of(r) for r in template.routes()]
        self.extra = extra_routes or {}
        # Local-only POST endpoints that stand in for what AWS does outside the API (signing in
        # by email link through Cognito's triggers); they run under the invocation lock.
        self.local_posts = local_posts or {}
        self.services = services or {}  # path -> service; also under the invocation lock
        self._invoke_lock = threading.Lock()

    def invoke(self, function: str, event: dict[str, Any]) -> Any:
        """Call a function's handler with an event, under the same lock as the routes (the
        runner's one Lambda instance at a time)."""
        with self._invoke_lock:
            return template.load_handler(function)(event, LambdaContext(function))

    def match(self, method: str, path: str) -> tuple[template.Route, dict[str, str]] | None:
        for compiled in self.routes:
            found = compiled.pattern.match(path)
            if found and compiled.route.method == method:
                return compiled.route, {k: unquote(v) for k, v in found.groupdict().items()}
        return None

    def handle(self, method: str, raw_path: str, headers: dict[str, str], body: bytes | None,
               source_ip: str, *, behind_edge: bool = False) -> tuple[int, dict[str, list[str]], bytes]:
        url = urlsplit(raw_path)
        routed = None if behind_edge else edge.api_path(url.path)
        if routed is not None:  # the distribution's /api/* behaviour: the same API, the page's headers
            stripped = urlunsplit(("", "", routed, url.query, ""))
            status, out, payload = self.handle(method, stripped, headers, body, source_ip, behind_edge=True)
            return status, {**out, **(self.web.headers() if self.web is not None else {})}, payload
        if self.web is not None and not behind_edge and method in ("GET", "HEAD"):  # the page is not under /api
            page = self.web.answer(url.path)
            if page is not None:
                return page
        if method == "GET" and url.path in self.extra:
            status, payload = self.extra[url.path]()
            return status, JSON_HEADERS, payload
        if url.path in self.services:
            with self._invoke_lock:
                return self.services[url.path](method, url.query, headers, body)
        if method == "POST" and url.path in self.local_posts:
            with self._invoke_lock:
                status, payload = self.local_posts[url.path](body)
            return status, JSON_HEADERS, payload
        if method == "OPTIONS" and any(c.pattern.match(url.path) for c in self.routes):
            return 204, self._preflight(), b""
        matched = self.match(method, url.path)
        if matched is None:
            allowed = sorted({c.route.method for c in self.routes if c.pattern.match(url.path)})
            if allowed:  # the template's catch-all method on each API path (MethodNotAllowedFunction)
                return 405, {**JSON_HEADERS, "Allow": [", ".join([*allowed, "OPTIONS"])]}, error_body(
                    "method_not_allowed", "this path does not take this method")
            # API Gateway: MISSING_AUTHENTICATION_TOKEN, mapped to 404 in the template
            return 404, JSON_HEADERS, error_body("not_found", "no such resource")
        route, path_params = matched
        claims = None
        if route.authorized:
            verified = self.authorizer.verify(_header(headers, "authorization"))
            if verified is None:
                return 401, JSON_HEADERS, error_body("unauthorized", "authentication required")
            claims = as_rest_claims(verified)
        event = build_event(route, url.path, url.query, headers, body, path_params, claims, source_ip)
        return _to_http(self.invoke(route.function, event))


    @staticmethod
    def _preflight() -> dict[str, list[str]]:
        """API Gateway's CORS preflight: no token needed; the one allowed origin, if configured."""
        origin = os.environ.get("ALLOWED_ORIGIN")
        return {**PREFLIGHT_HEADERS, **({"Access-Control-Allow-Origin": [origin]} if origin else {})}


def _header(headers: dict[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def build_event(
    route: template.Route, path: str, query: str, headers: dict[str, str], body: bytes | None,
    path_params: dict[str, str], claims: dict[str, str] | None, source_ip: str,
) -> dict[str, Any]:
    """A REST API (v1) Lambda proxy event, as API Gateway builds it."""
    pairs = parse_qsl(query, keep_blank_values=True)
    multi_query: dict[str, list[str]] = {}
    for key, value in pairs:
        multi_query.setdefault(key, []).append(value)
    now = time.time()
    context: dict[str, Any] = {
        "resourcePath": route.path,
        "httpMethod": route.method,
        "path": f"/{STAGE}{path}",
        "stage": STAGE,
        "requestId": str(uuid.uuid4()),
        "extendedRequestId": str(uuid.uuid4()),
        "accountId": "000000000000",
        "apiId": "local",
        "protocol": "HTTP/1.1",
        "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
        "requestTimeEpoch": int(now * 1000),
        "domainName": _header(headers, "host") or "127.0.0.1",
        "identity": {"sourceIp": source_ip, "userAgent": _header(headers, "user-agent")},
    }
    if claims is not None:
        context["authorizer"] = {"claims": claims}
    text = body.decode("utf-8", errors="replace") if body else None
    return {
        "resource": route.path,
        "path": path,
        "httpMethod": route.method,
        "headers": dict(headers) or None,
        "multiValueHeaders": {k: [v] for k, v in headers.items()} or None,
        "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": path_params or None,
        "stageVariables": None,
        "requestContext": context,
        "body": text,
        "isBase64Encoded": False,
    }


def _to_http(result: dict[str, Any]) -> tuple[int, dict[str, list[str]], bytes]:
    headers: dict[str, list[str]] = {k: [str(v)] for k, v in (result.get("headers") or {}).items()}
    for key, values in (result.get("multiValueHeaders") or {}).items():
        headers[key] = [str(v) for v in values]
    body = result.get("body") or ""
    payload = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
    return int(result.get("statusCode", 502)), headers, payload


class ApiServer(ThreadingHTTPServer):
    """A thread per request, and a listen backlog for bursts: http.server's default of 5 makes
    the kernel refuse connections while the accept loop is busy (20 concurrent writes saw resets)."""

    request_queue_size = socket.SOMAXCONN
    daemon_threads = True


def serve(gateway: Gateway, host: str, port: int) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        server_version = "clinic-local"
        protocol_version = "HTTP/1.1"

        def _dispatch(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY_BYTES:
                self._send(413, JSON_HEADERS, error_body("validation_error", "body too large"))
                return
            body = self.rfile.read(length) if length else None
            headers = dict(self.headers.items())
            try:
                status, out_headers, payload = gateway.handle(
                    self.command, self.path, headers, body, self.client_address[0]
                )
            except Exception as exc:  # noqa: BLE001 - the runner must answer, as API Gateway would
                # Like Lambda's own error report: the type and where, not the message (PHI).
                print(f"[api] handler crashed: {error_fingerprint(exc)}", flush=True)
                status, out_headers, payload = 502, JSON_HEADERS, error_body("internal", "bad gateway")
            self._send(status, out_headers, payload)

        def _send(self, status: int, headers: dict[str, list[str]], payload: bytes) -> None:
            self.send_response(status)
            for key, values in with_security_headers(headers).items():
                if key.lower() == "content-length":
                    continue
                for value in values:
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":  # a HEAD answer carries the headers of the body, not the body
                self.wfile.write(payload)

        # Every method reaches the router, as at API Gateway: a method a path does not declare
        # (TRACE, HEAD, QUERY, ...) is a 405 with Allow there, a 404 elsewhere, in the error shape.
        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = do_TRACE = do_QUERY = _dispatch  # noqa: N815

        def __getattr__(self, name: str) -> Any:
            # A method http.server has no do_ for (QUERY, PROPFIND, ...): 501 in the error shape.
            if name.startswith("do_"):
                return self._unsupported
            raise AttributeError(name)

        def _unsupported(self) -> None:
            self.close_connection = True  # its body, if any, is never read
            self._send(501, JSON_HEADERS, error_body("not_implemented", "this HTTP method is not supported"))

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
            # Paths and query strings can carry PHI: log only the method and the status.
            if len(args) >= 2:
                print(f"[api] {self.command} {args[1]}", flush=True)

    server = ApiServer((host, port), Handler)
    threading.Thread(target=server.serve_forever, name="clinic-api", daemon=True).start()
    return server
