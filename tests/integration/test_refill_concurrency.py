"""Concurrent refill requests against a real DynamoDB endpoint (moto's server, over HTTP, many
client threads): the refill count never goes below zero and exactly the initial number succeed.

DynamoDB applies the writes to one item one at a time; moto's server does not (its handlers run
concurrently on shared state), so the server here applies requests one at a time, as DynamoDB
does per item. The client side is fully concurrent: every thread reads, then updates."""

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

from clinic import aws
from clinic.errors import Conflict
from clinic.repositories import medications_table
from clinic.services import medications
from clinic_tools import template
from tests.support import env
from tests.support.data import NOW_MS

PATIENT = "5e6f7a8b-0000-4000-8000-000000000001"
INITIAL_REFILLS = 5
REQUESTS = 40


@pytest.fixture
def dynamodb_server(monkeypatch):
    app = DomainDispatcherApplication(create_backend_app)
    lock = threading.Lock()

    def one_at_a_time(environ, start_response):
        with lock:
            return list(app(environ, start_response))

    server = make_server("127.0.0.1", 0, one_at_a_time, threaded=True, request_handler=MotoRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{server.server_port}")
    aws.reset()
    client = aws.dynamodb()
    for args in template.table_definitions(env.TABLE_PREFIX).values():
        client.create_table(**{k: v for k, v in args.items() if not k.startswith("_")})
    yield
    server.shutdown()
    thread.join()
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    aws.reset()


def test_concurrent_refill_requests_never_go_below_zero(dynamodb_server):
    medications_table.put_many(PATIENT, [{"medicationId": "med1", "name": "Drug", "dose": "1 mg",
                                          "refills": INITIAL_REFILLS, "active": True, "startedAt": NOW_MS,
                                          "version": 1}])
    start = threading.Barrier(8)

    def attempt(_):
        if _ < 8:
            start.wait()
        try:
            return medications.request_refill(PATIENT, "med1").refills_remaining
        except Conflict:
            return None

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(attempt, range(REQUESTS)))
    successes = [o for o in outcomes if o is not None]
    assert len(successes) == INITIAL_REFILLS
    assert sorted(successes) == list(range(INITIAL_REFILLS))  # each success saw a distinct count
    final = medications_table.find(PATIENT, "med1")
    assert final["refills"] == 0 and final["version"] == 1 + INITIAL_REFILLS
    assert os.environ["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")
