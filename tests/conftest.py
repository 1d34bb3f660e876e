"""Fixtures shared by every test. The environment is set before anything imports ``clinic``:
settings are parsed once per process, exactly as in Lambda."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support import env

os.environ.pop("AWS_ENDPOINT_URL", None)  # never let a developer's endpoint leak into tests
os.environ.update(env.function_environment())
os.environ["CLINIC_TEST_NOW_MS"] = str(env.fix_now())  # before xdist starts workers: they inherit it

from moto import mock_aws

from clinic import aws
from clinic.repositories import dynamo
from clinic_local import motoserver
from clinic_tools import handlers, template
from tests.support.dynamo import CallCounter, Calls
from tests.support.live import FakeManagementApi
from tests.support.ports import free_port

motoserver.backup_tables_once()  # moto copies a table per transaction item otherwise (see there)


@pytest.fixture
def tables() -> Iterator[dict[str, str]]:
    """In-process moto with every table of template.yaml; yields logical id -> table name."""
    with mock_aws():
        aws.reset()
        client = aws.dynamodb()
        for args in template.table_definitions(env.TABLE_PREFIX).values():
            args = {k: v for k, v in args.items() if not k.startswith("_")}
            client.create_table(**args)
        yield env.table_names()
        aws.reset()


@pytest.fixture
def ddb_calls(tables: dict[str, str]) -> Iterator[Calls]:
    """Counts DynamoDB requests made through the functions' client from here on."""
    counter = CallCounter(aws.dynamodb())
    yield counter.calls
    counter.detach()


@pytest.fixture
def management(tables: dict[str, str]) -> Iterator[FakeManagementApi]:
    """The live-updates stage's management API, faked (tests.support.live)."""
    fake = FakeManagementApi()
    aws.override("apigatewaymanagementapi", fake)
    yield fake
    aws.override("apigatewaymanagementapi", None)


@pytest.fixture
def instant_retries(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Backoff sleeps recorded instead of slept."""
    slept: list[float] = []
    monkeypatch.setattr(dynamo, "sleep", slept.append)
    return slept


@pytest.fixture
def invoke() -> Any:
    """Call a function's handler from template.yaml with an event, as Lambda would."""
    from clinic_local.gateway import LambdaContext

    def _invoke(logical_id: str, event: dict[str, Any]) -> dict[str, Any]:
        handler = handlers.load_handler(logical_id)
        return handler(event, LambdaContext(logical_id))

    return _invoke


@pytest.fixture(scope="module")
def moto_server() -> Iterator[str]:
    """moto's server on a free port, with the clients of ``clinic.aws`` pointed at it (and the
    template's tables created there); yields the endpoint. Requests are atomic, as in AWS
    (clinic_local.motoserver). Module-scoped: tests share it and use their own user ids."""
    port = free_port()
    server = motoserver.AtomicMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    os.environ["AWS_ENDPOINT_URL"] = endpoint
    aws.reset()
    try:
        for args in template.table_definitions(env.TABLE_PREFIX).values():
            aws.dynamodb().create_table(**{k: v for k, v in args.items() if not k.startswith("_")})
        yield endpoint
    finally:
        os.environ.pop("AWS_ENDPOINT_URL", None)
        aws.reset()
        server.stop()


@pytest.fixture
def queues(tables: dict[str, str]) -> dict[str, str]:
    """The template's SQS queues in the same moto; logical id -> URL (the URL the functions see)."""
    from clinic_local import stack

    urls = {k: q["url"] for k, q in stack.create_queues(aws.client("sqs"), env.TABLE_PREFIX).items()}
    assert urls == env.queue_urls()
    return urls
