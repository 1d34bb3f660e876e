"""Refill requests under races, against a real DynamoDB endpoint (moto's server, over HTTP, many
client threads): of two staff deciding one request at once exactly one succeeds and the other is
a 409; of patients racing to ask for one medication exactly one request is created; and decisions
for many patients at once leave every refill count exact.

DynamoDB applies the writes to one item one at a time; moto's server does not (its handlers run
concurrently on shared state), so the server here applies requests one at a time, as DynamoDB
does per item. The client side is fully concurrent: every thread reads, then writes."""

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

from clinic import aws
from clinic.errors import Conflict
from clinic.identity import ADMIN_GROUP, Caller
from clinic.models.refills import RefillDecision
from clinic.repositories import medications_table, refill_requests_table, users_table
from clinic.services import refills
from clinic_tools import template
from tests.support import env
from tests.support.data import NOW_MS

STAFF = [Caller(user_id=f"a0d1e2f3-0000-4000-8000-00000000ad0{i}", email=None, groups=frozenset({ADMIN_GROUP}))
         for i in range(2)]
ROUNDS = 6
PATIENTS = 20
INITIAL_REFILLS = 3


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
    for name in client.list_tables()["TableNames"]:  # the server's backend outlives it, in this process
        client.delete_table(TableName=name)
    server.shutdown()
    thread.join()
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    aws.reset()


def patient(n: int, refills: int = INITIAL_REFILLS) -> str:
    user_id = f"5e6f7a8b-0000-4000-8000-{n:012d}"
    users_table.put({"userId": user_id, "email": f"p{n}@example.test", "role": "patient", "createdAt": NOW_MS})
    medications_table.put_many(user_id, [{"medicationId": "med1", "name": "Drug", "dose": "1 mg", "refills": refills,
                                          "active": True, "startedAt": NOW_MS, "version": 1}])
    return user_id


def outcome(action):
    try:
        return action()
    except Conflict:
        return None


def test_two_staff_approving_one_request_at_once_one_succeeds_the_other_is_a_409(dynamodb_server):
    user_id = patient(0, refills=ROUNDS + 1)
    def approve(actor, request_id, start):
        start.wait()
        return outcome(lambda: refills.decide(actor, request_id, RefillDecision(decision="approved")))

    for _ in range(ROUNDS):
        request_id, start = refills.request(user_id, "med1").request_id, threading.Barrier(len(STAFF))
        with ThreadPoolExecutor(max_workers=len(STAFF)) as pool:
            results = list(pool.map(approve, STAFF, [request_id] * len(STAFF), [start] * len(STAFF)))
        assert len([r for r in results if r is not None]) == 1, results
    assert medications_table.find(user_id, "med1")["refills"] == 1
    approved = refill_requests_table.page(user_id, status="approved", limit=100, after=None).items
    assert len(approved) == ROUNDS
    assert os.environ["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")


def test_of_patients_racing_to_ask_for_one_medication_exactly_one_request_is_created(dynamodb_server):
    user_id = patient(0)
    start = threading.Barrier(8)

    def ask(_):
        start.wait()
        return outcome(lambda: refills.request(user_id, "med1"))

    for _ in range(3):
        with ThreadPoolExecutor(max_workers=8) as pool:
            created = [r for r in pool.map(ask, range(8)) if r is not None]
        assert len(created) == 1
        refills.decide(STAFF[0], created[0].request_id, RefillDecision(decision="denied"))
    assert len(refill_requests_table.page(user_id, status=None, limit=100, after=None).items) == 3


def test_twenty_patients_requests_approved_in_parallel_leave_every_refill_count_exact(dynamodb_server):
    patients = [patient(n) for n in range(PATIENTS)]
    def approve(index, request_id, start):
        if index < 8:
            start.wait()
        return outcome(lambda: refills.decide(STAFF[index % 2], request_id, RefillDecision(decision="approved")))

    for _ in range(2):
        pending = [refills.request(user_id, "med1").request_id for user_id in patients]
        start = threading.Barrier(8)
        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(approve, range(PATIENTS), pending, [start] * PATIENTS))
        assert all(r is not None for r in results)
    left = [medications_table.find(user_id, "med1")["refills"] for user_id in patients]
    assert left == [INITIAL_REFILLS - 2] * PATIENTS
    queue, _ = refill_requests_table.queue_page(limit=100, positions=[None] * refill_requests_table.SHARDS)
    assert queue == []
