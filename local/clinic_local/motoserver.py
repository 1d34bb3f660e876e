"""moto, made to keep the two DynamoDB guarantees the write path relies on, for the local runner,
the tests and the benchmarks.

1. Each request is atomic. moto's server answers requests on parallel threads without isolation:
   its TransactWriteItems checks conditions item by item and, on failure, puts back a copy of
   the table taken before, discarding whatever another request wrote meanwhile. DynamoDB makes
   every request atomic, so ``AtomicMotoServer`` serves one request at a time; clients still
   interleave request by request, which is exactly what concurrency means to the write path.
2. A transaction's cost does not grow with the table. moto backs a table up once per item of a
   TransactWriteItems (all copies taken before anything is written, so they are identical):
   a 30-item transaction copies the table 30 times. ``backup_tables_once`` keeps the first copy
   of each table per request; what moto does with it is unchanged.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterable
from typing import Any

from moto.server import ThreadedMotoServer


class _CopyOnce:
    """Stands in for the ``copy`` module inside one TransactWriteItems call."""

    def __init__(self) -> None:
        self._copies: dict[int, Any] = {}

    def deepcopy(self, obj: Any, memo: Any = None) -> Any:
        from moto.dynamodb.models.table import Table

        if isinstance(obj, Table):
            if id(obj) not in self._copies:
                self._copies[id(obj)] = copy.deepcopy(obj, memo)
            return self._copies[id(obj)]
        return copy.deepcopy(obj, memo)

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)


_patch_lock = threading.Lock()


def backup_tables_once() -> None:
    """Patch moto's TransactWriteItems (idempotent; see the module docstring, point 2)."""
    import moto.dynamodb.models as models

    with _patch_lock:
        original = models.DynamoDBBackend.transact_write_items
        if getattr(original, "_backs_up_once", False):
            return

        def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
            models.copy = _CopyOnce()  # type: ignore[assignment]
            try:
                original(self, transact_items)
            finally:
                models.copy = copy  # type: ignore[assignment]

        transact_write_items._backs_up_once = True  # type: ignore[attr-defined]
        transact_write_items.__wrapped__ = original  # type: ignore[attr-defined]
        models.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]


def _one_at_a_time(app: Callable[..., Iterable[bytes]]) -> Callable[..., list[bytes]]:
    lock = threading.Lock()

    def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        with lock:
            return list(app(environ, start_response))

    return serve


class AtomicMotoServer(ThreadedMotoServer):
    """moto's threaded server answering one request at a time (point 1 of the module docstring),
    without a log line per request (every AWS call is a "POST / 200" there: noise, nothing more)."""

    def _server_entry(self) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
        from werkzeug.serving import make_server

        class QuietHandler(MotoRequestHandler):
            def log_request(self, *args: Any, **kwargs: Any) -> None:
                pass

        backup_tables_once()
        app = DomainDispatcherApplication(create_backend_app)
        self._server = make_server(self._ip_address, self._port, _one_at_a_time(app), True,
                                   request_handler=QuietHandler)
        self._server_ready_event.set()
        self._server.serve_forever()
