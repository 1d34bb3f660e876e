"""Live updates, locally, through the same functions as in AWS:

- ``serve_websocket``: the WebSocket API. A handshake becomes a ``$connect`` event for
  LiveConnectFunction (its status other than 200 refuses the handshake with that status); a
  closed socket becomes a ``$disconnect`` event for LiveDisconnectFunction.
- ``serve_management``: API Gateway's management endpoint (``POST /@connections/{id}`` sends a
  frame, ``DELETE`` closes, ``GET`` describes; 410 for a connection that is gone), so that
  LiveFanOutFunction's ``apigatewaymanagementapi`` client works unchanged, given its URL.
- ``StreamPoller``: what Lambda's event source mappings do with the tables' streams: read
  moto's DynamoDB Streams, hand LiveFanOutFunction Lambda-shaped batches, and deliver again
  from the first reported failure, up to the mapping's MaximumRetryAttempts.

Clients connect to ``ws://HOST:PORT/?token=<ID token>`` (browsers cannot set headers on a
WebSocket; the deployed API takes the token the same way).
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.sync.server import Server, ServerConnection, serve

from clinic_local.endpoint import ANSWERING, MAX_BACKOFF_S, EndpointWatch
from clinic_local.errors import error_body
from clinic_tools import template

Invoke = Callable[[str, dict[str, Any]], Any]  # (function logical id, event) -> result
CONNECT_FUNCTION = "LiveConnectFunction"
DISCONNECT_FUNCTION = "LiveDisconnectFunction"
FAN_OUT_FUNCTION = "LiveFanOutFunction"
API_ID = "local-live"
STAGE = "local"
_CONNECTION_PATH = re.compile(r"/@connections/([^/]+)$")


def _error(status: int, code: str, message: str, extra: dict[str, str] | None = None) -> Response:
    body = error_body(code, message)
    headers = Headers([("Content-Type", "application/json"), ("Content-Length", str(len(body))),
                       *(extra or {}).items()])
    return Response(status, HTTPStatus(status).phrase, headers, body)


def new_connection_id() -> str:
    """Shaped like API Gateway's (e.g. ``L0SM9cOFvHcCIhw=``): 10 random bytes, base64 with a
    trailing ``=``, so that clients URL-encode it as they must for the real ones."""
    return base64.b64encode(secrets.token_bytes(10), altchars=b"-_").decode()


@dataclass
class _Live:
    socket: ServerConnection
    connected_at: float
    open: threading.Event = field(default_factory=threading.Event)


class Connections:
    """The open sockets by connection id: what API Gateway keeps for a WebSocket API."""

    def __init__(self) -> None:
        self._by_id: dict[str, _Live] = {}
        self._lock = threading.Lock()
        self.frames_sent = 0

    def add(self, connection_id: str, socket: ServerConnection) -> None:
        with self._lock:
            self._by_id[connection_id] = _Live(socket, time.time())

    def opened(self, connection_id: str) -> None:
        with self._lock:
            live = self._by_id.get(connection_id)
        if live:
            live.open.set()

    def remove(self, connection_id: str) -> None:
        with self._lock:
            self._by_id.pop(connection_id, None)

    def get(self, connection_id: str) -> _Live | None:
        with self._lock:
            return self._by_id.get(connection_id)

    def send(self, connection_id: str, data: bytes) -> bool:
        """False when the connection is gone (the management API's 410)."""
        live = self.get(connection_id)
        if live is None:
            return False
        if not live.open.wait(timeout=2):  # $connect stored it but the handshake never completed
            self.remove(connection_id)
            return False
        try:
            live.socket.send(data.decode())  # text frames: the protocol is JSON
        except (ConnectionClosed, OSError):
            return False
        with self._lock:
            self.frames_sent += 1
        return True

    def close(self, connection_id: str) -> bool:
        live = self.get(connection_id)
        if live is None:
            return False
        live.socket.close()
        return True


def _ws_event(route: str, connection_id: str, request: Request | None, source_ip: str) -> dict[str, Any]:
    """A WebSocket API Lambda proxy event, as API Gateway builds it for $connect/$disconnect."""
    now = time.time()
    event: dict[str, Any] = {
        "requestContext": {
            "routeKey": route,
            "eventType": "CONNECT" if route == "$connect" else "DISCONNECT",
            "connectionId": connection_id,
            "stage": STAGE,
            "apiId": API_ID,
            "domainName": "127.0.0.1",
            "requestId": secrets.token_hex(8),
            "requestTimeEpoch": int(now * 1000),
            "connectedAt": int(now * 1000),
            "identity": {"sourceIp": source_ip},
        },
        "isBase64Encoded": False,
    }
    if request is not None:
        query = dict(parse_qsl(urlsplit(request.path).query, keep_blank_values=True))
        event["queryStringParameters"] = query or None
        event["headers"] = dict(request.headers.raw_items())
    return event


def serve_websocket(host: str, port: int, connections: Connections, invoke: Invoke) -> Server:
    """The WebSocket API on ``ws://host:port/``, in threads (like the runner's HTTP server)."""

    def process_request(socket: ServerConnection, request: Request) -> Response | None:
        connection_id = new_connection_id()
        source_ip = str(socket.remote_address[0])
        try:
            result = invoke(CONNECT_FUNCTION, _ws_event("$connect", connection_id, request, source_ip))
            status = int(result.get("statusCode", 502))
            headers = {str(k): str(v) for k, v in (result.get("headers") or {}).items()}
        except Exception:  # noqa: BLE001 - API Gateway answers a failed $connect with 502, nothing more
            status, headers = 502, {}
        if status == 401:
            return _error(401, "unauthorized", "authentication required")
        if status == 429:  # the function's Retry-After travels with the refusal
            return _error(429, "rate_limited", "connection refused", {"Retry-After": headers.get("Retry-After", "1")})
        if status != 200:
            return _error(status, "internal", "connection refused")
        socket.connection_id = connection_id  # type: ignore[attr-defined]
        connections.add(connection_id, socket)
        return None

    def handler(socket: ServerConnection) -> None:
        connection_id: str = socket.connection_id  # type: ignore[attr-defined]
        source_ip = str(socket.remote_address[0])
        connections.opened(connection_id)
        try:
            for _ in socket:  # the protocol has no client messages (no routes besides $connect/$disconnect)
                pass
        except ConnectionClosed:
            pass
        finally:
            connections.remove(connection_id)
            try:
                invoke(DISCONNECT_FUNCTION, _ws_event("$disconnect", connection_id, None, source_ip))
            except Exception as exc:  # noqa: BLE001 - as in AWS: the socket is closed whatever $disconnect did
                print(f"[live] $disconnect failed: {type(exc).__name__}", flush=True)

    server = serve(handler, host, port, process_request=process_request, server_header="clinic-local")
    threading.Thread(target=server.serve_forever, name="clinic-live", daemon=True).start()
    return server


def serve_management(host: str, connections: Connections, port: int = 0) -> ThreadingHTTPServer:
    """API Gateway's management API for the local WebSocket (requests are not signature-checked)."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self, status: int, payload: bytes = b"") -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def _connection_id(self) -> str | None:
            found = _CONNECTION_PATH.search(urlsplit(self.path).path)
            return unquote(found.group(1)) if found else None

        def _gone(self) -> None:
            self._answer(410, b'{"message": "GoneException"}')

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            data = self.rfile.read(length) if length else b""
            connection_id = self._connection_id()
            if connection_id is None:
                self._answer(404)
            elif connections.send(connection_id, data):
                self._answer(200)
            else:
                self._gone()

        def do_DELETE(self) -> None:
            connection_id = self._connection_id()
            if connection_id is None:
                self._answer(404)
            elif connections.close(connection_id):
                self._answer(204)
            else:
                self._gone()

        def do_GET(self) -> None:
            connection_id = self._connection_id()
            live = connections.get(connection_id) if connection_id else None
            if live is None:
                self._gone()
                return
            connected = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(live.connected_at))
            self._answer(200, json.dumps({"connectedAt": connected, "lastActiveAt": connected}).encode())

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
            pass  # one line per message would drown the runner's output

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="clinic-live-management", daemon=True).start()
    return server


# --- streams -------------------------------------------------------------------------------


def _stream_record(record: dict[str, Any], stream_arn: str, region: str) -> dict[str, Any]:
    """A GetRecords record as Lambda delivers it (keys only, as the streams are KEYS_ONLY)."""
    change = record["dynamodb"]
    created = change.get("ApproximateCreationDateTime")
    return {
        "eventID": record.get("eventID"),
        "eventName": record.get("eventName"),
        "eventVersion": record.get("eventVersion", "1.1"),
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "dynamodb": {
            "ApproximateCreationDateTime": created.timestamp() if hasattr(created, "timestamp") else created,
            "Keys": change["Keys"],
            "SequenceNumber": change["SequenceNumber"],
            "SizeBytes": change.get("SizeBytes", 0),
            "StreamViewType": "KEYS_ONLY",
        },
        "eventSourceARN": stream_arn,
    }


@dataclass
class _Shard:
    """A shard being read: where the last delivered record was (the checkpoint), not an iterator."""

    source: template.StreamSource
    stream_arn: str
    shard_id: str
    checkpoint: str | None  # the last delivered (or skipped) sequence number; None: from the start


class StreamPoller:
    """Reads each streamed table from the moment it starts and delivers batches, following shards
    as Lambda's event source mapping does: it keeps a checkpoint (a sequence number) per shard, not
    an iterator, takes a fresh iterator from it on every pass, and re-describes the streams every
    ``DESCRIBE_EVERY_S`` to pick up new shards (read from their start).

    A held iterator is not enough locally: when moto cancels a transaction it restores a copy of
    the table taken before, stream shard included (same shard id), and an iterator on the old
    copy never sees another record. An iterator taken from the checkpoint reads the current shard.
    """

    DESCRIBE_EVERY_S = 1.0
    PAGE = 1000  # GetRecords' maximum

    def __init__(self, ddb: Any, streams: Any, tables: dict[str, str], region: str, invoke: Invoke,
                 interval_s: float = 0.05, watch: EndpointWatch | None = None) -> None:
        self._streams = streams
        self._watch = watch
        self._region = region
        self._invoke = invoke
        self._interval = interval_s
        self._stop = threading.Event()
        self._arns = {source: ddb.describe_table(TableName=tables[source.table])["Table"]["LatestStreamArn"]
                      for source in template.stream_sources()}
        self._shards: dict[str, _Shard] = {}
        self._described = 0.0
        self.batches = 0
        self.failed_records_dropped = 0
        self._describe(start=True)
        self._thread = threading.Thread(target=self._run, name="clinic-live-streams", daemon=True)

    def start(self) -> StreamPoller:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _describe(self, start: bool = False) -> None:
        """Learn the streams' shards. At start, the records already in a shard are skipped (the
        poller begins after the latest one); a shard that appears later is read from its start."""
        for source, arn in self._arns.items():
            for shard in self._streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
                key = f"{arn}|{shard['ShardId']}"
                if key not in self._shards:
                    found = _Shard(source, arn, shard["ShardId"], None)
                    if start:
                        found.checkpoint = self._last_sequence_number(found)
                    self._shards[key] = found
        self._described = time.monotonic()

    def _iterator(self, shard: _Shard) -> str:
        position: dict[str, str] = {"ShardIteratorType": "TRIM_HORIZON"}
        if shard.checkpoint is not None:
            position = {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": shard.checkpoint}
        return str(self._streams.get_shard_iterator(StreamArn=shard.stream_arn, ShardId=shard.shard_id,
                                                    **position)["ShardIterator"])

    def _last_sequence_number(self, shard: _Shard) -> str | None:
        iterator: str | None = self._iterator(shard)
        last = shard.checkpoint
        while iterator:
            page = self._streams.get_records(ShardIterator=iterator, Limit=self.PAGE)
            if not page.get("Records"):
                break
            last = page["Records"][-1]["dynamodb"]["SequenceNumber"]
            iterator = page.get("NextShardIterator")
        return last

    def poll_once(self) -> int:
        """One pass over every shard; returns how many records were delivered."""
        if time.monotonic() - self._described >= self.DESCRIBE_EVERY_S:
            self._describe()
        delivered = 0
        for shard in list(self._shards.values()):
            page = self._streams.get_records(ShardIterator=self._iterator(shard), Limit=shard.source.batch_size)
            records = [_stream_record(r, shard.stream_arn, self._region) for r in page.get("Records", [])]
            if records:
                self._deliver(shard.source, records)
                shard.checkpoint = records[-1]["dynamodb"]["SequenceNumber"]
                delivered += len(records)
        return delivered

    def _deliver(self, source: template.StreamSource, records: list[dict[str, Any]]) -> None:
        """As Lambda with ReportBatchItemFailures: on failure, deliver again from the first failed
        record; after MaximumRetryAttempts, give up (the on-failure destination in AWS)."""
        retries = source.maximum_retry_attempts if source.maximum_retry_attempts >= 0 else 10  # -1: until expiry
        for _attempt in range(retries + 1):
            self.batches += 1
            try:
                result = self._invoke(source.function, {"Records": records})
                failed = {f["itemIdentifier"] for f in (result or {}).get("batchItemFailures", [])}
            except Exception:  # noqa: BLE001 - a function error retries the whole batch, as in Lambda
                failed = {r["dynamodb"]["SequenceNumber"] for r in records}
            if not failed:
                return
            first = next(i for i, r in enumerate(records) if r["dynamodb"]["SequenceNumber"] in failed)
            records = records[first:]
        self.failed_records_dropped += len(records)
        print(f"[live] {len(records)} stream records still failing after retries: dropped", flush=True)

    def _run(self) -> None:
        delay = self._interval
        while not self._stop.is_set():
            try:
                delivered = self.poll_once()
            except Exception as exc:  # noqa: BLE001 - the poller keeps going, as Lambda's would
                # Back off while failing, and say why once (the endpoint watch), not once a pass.
                state = self._watch.failed() if self._watch else ANSWERING
                if state == ANSWERING:
                    print(f"[live] stream polling failed: {type(exc).__name__}", flush=True)
                delay = min(delay * 2, MAX_BACKOFF_S)
                self._stop.wait(delay)
                continue
            delay = self._interval
            if self._watch:
                self._watch.answered()
            if not delivered:
                self._stop.wait(self._interval)
