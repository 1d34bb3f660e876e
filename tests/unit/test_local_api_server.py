"""The runner's HTTP server itself (local/clinic_local/gateway.py ``serve``): what it answers
before any route is looked up, and how many callers it takes at once."""

import errno
import http.client
import json
import selectors
import socket
import threading
import time

import pytest

from clinic_local import gateway

CLIENTS = 100


class AnswerEverything:
    """A stand-in for the gateway: every request it is handed gets a 200."""

    def handle(self, method, raw_path, headers, body, source_ip):
        return 200, gateway.JSON_HEADERS, b"{}"


@pytest.fixture
def server():
    server = gateway.serve(AnswerEverything(), "127.0.0.1", 0)
    yield server
    server.shutdown()
    server.server_close()


def request(server, method, body=None):
    connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)
    try:
        connection.request(method, "/biomarkers/stats", body=body)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type"), response.read()
    finally:
        connection.close()


# (QUERY is dispatched: a path that lacks it answers 405 with Allow, tests/unit/test_gateway_methods.py)
@pytest.mark.parametrize("method", ["PROPFIND", "BREW", "MKCOL"])
def test_a_method_the_http_server_does_not_know_is_a_501_in_the_error_shape(server, method):
    status, content_type, payload = request(server, method, body=b'{"q": 1}')
    assert status == 501
    assert content_type == "application/json"
    error = json.loads(payload)["error"]
    assert error["code"] == "not_implemented"
    assert set(error) == {"code", "message", "details"}


def test_the_known_methods_still_reach_the_gateway(server):
    assert request(server, "GET")[0] == 200
    assert request(server, "PATCH", body=b"{}")[0] == 200


def connect_all(port, count, patience_s):
    """Open ``count`` connections at once; the ones the kernel completed within ``patience_s``
    (a refused or dropped handshake leaves the socket pending)."""
    selector = selectors.DefaultSelector()
    pending = []
    for _ in range(count):
        sock = socket.socket()
        sock.setblocking(False)
        assert sock.connect_ex(("127.0.0.1", port)) in (0, errno.EINPROGRESS)
        selector.register(sock, selectors.EVENT_WRITE)
        pending.append(sock)
    connected = []
    deadline = time.monotonic() + patience_s
    while len(connected) < count and (left := deadline - time.monotonic()) > 0:
        for key, _ in selector.select(left):
            selector.unregister(key.fileobj)
            if key.fileobj.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                connected.append(key.fileobj)
    selector.close()
    return connected, pending


def test_100_concurrent_requests_arriving_while_the_server_is_busy_all_get_an_answer(server):
    # Given the accept loop is not taking connections for a moment (busy, as under a burst)
    server.shutdown()
    # When 100 clients connect and send a request at once
    connected, sockets = connect_all(server.server_address[1], CLIENTS, patience_s=1.0)
    try:
        for sock in connected:
            sock.setblocking(True)
            sock.sendall(b"GET /biomarkers/stats HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        threading.Thread(target=server.serve_forever, daemon=True).start()
        # Then the kernel queued every one of them, and each gets its answer once the loop runs
        assert len(connected) == CLIENTS
        answers = 0
        for sock in connected:
            sock.settimeout(10)
            answers += sock.makefile("rb").readline().startswith(b"HTTP/1.1 200")
        assert answers == CLIENTS
    finally:
        for sock in sockets:
            sock.close()
