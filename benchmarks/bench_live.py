"""Live updates through the local runner: time from the ingest call to the message on the socket,
against the ingest call's own round trip measured in the same run; and messages sent per change,
counted on the sockets.

The runner is started in this process exactly as `make dev` starts it (moto's server, tables and
pool from template.yaml, the WebSocket server, the stream poller, the fan-out function). Patient A
holds two sockets (two tabs), patient B one; each reading goes to A through the ingest function's
internal entry point (``clinic_local.ingest.invoke``, what a pipeline's Invoke does), one at a time,
and the next starts once both of A's sockets have the message.

- Baseline: the same ingest calls with no socket open (the call returns once the reading and its
  summary are committed: what a client polling the REST API could see at the earliest).
- Ours: from the same call's start to the message on A's socket (stream poll, fan-out, post).
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from websockets.sync.client import ClientConnection, connect

from benchmarks.report import Table, percentile, ratio
from tests.support.ports import free_port

HOST = "127.0.0.1"
QUIET_S = 1.0


def _reading(user_id: str, n: int) -> dict[str, Any]:
    return {"userId": user_id, "name": "Glucose", "value": 80 + n % 40, "unit": "mg/dL",
            "recordedAt": int(time.time() * 1000), "source": "cgm",
            "sourceReadingId": f"bench-live-{time.time_ns()}-{n}"}


def _drain(ws: ClientConnection) -> int:
    count = 0
    while True:
        try:
            ws.recv(timeout=QUIET_S)
        except TimeoutError:
            return count
        count += 1


def run(quick: bool = False) -> list[Table]:
    from clinic import aws, settings
    from clinic_local import cli, ingest
    from clinic_local import stack as local_stack

    readings, warmup = (20, 3) if quick else (200, 10)
    saved_env = dict(os.environ)
    os.environ.pop("AWS_ENDPOINT_URL", None)
    state_file = Path(tempfile.mkdtemp()) / "stack.json"
    stack, stoppers = cli.start(HOST, free_port(), free_port(), state_file, quiet=True, ws_port=free_port())
    try:
        ingest.attach(stack)  # this process's handlers now talk to the runner's moto
        os.environ.update({"POWERTOOLS_LOG_LEVEL": "WARNING", "POWERTOOLS_METRICS_DISABLED": "true"})
        patients = [a for a in stack.accounts if a["role"] == "patient"][:2]
        tokens = [local_stack.id_token(stack, p["email"], p["password"]) for p in patients]
        a_id = patients[0]["userId"]

        baseline: list[float] = []
        for n in range(warmup + readings):
            started = time.perf_counter()
            ingest.invoke([_reading(a_id, n)])
            if n >= warmup:
                baseline.append(time.perf_counter() - started)
        time.sleep(QUIET_S)  # the last batches' fan-out (to nobody) finishes

        url = stack.live["url"]
        with (connect(f"{url}?token={tokens[0]}") as a1, connect(f"{url}?token={tokens[0]}") as a2,
              connect(f"{url}?token={tokens[1]}") as b1):
            to_socket, returned, received = [], [], {"a1": 0, "a2": 0}
            for n in range(warmup + readings):
                started = time.perf_counter()
                ingest.invoke([_reading(a_id, n)])
                call = time.perf_counter() - started
                message = json.loads(a1.recv(timeout=10))
                first = time.perf_counter() - started
                assert message == {"type": "changed", "topic": "stats"}
                assert json.loads(a2.recv(timeout=10)) == message
                received["a1"] += 1
                received["a2"] += 1
                if n >= warmup:
                    to_socket.append(first)
                    returned.append(call)
            received["a1"] += _drain(a1)
            received["a2"] += _drain(a2)
            b_received = _drain(b1)
    finally:
        for stop in stoppers:
            stop()
        os.environ.clear()
        os.environ.update(saved_env)
        settings.reset()
        aws.reset()

    changes = warmup + readings
    latency = Table(f"Live updates: ingest call to message on the socket, {readings} readings one at a time "
                    "(local runner, ms)", ["measure", "p50 ms", "p95 ms", "p50 vs baseline", "p95 vs baseline"])
    b50, b95 = percentile(baseline, 0.5) * 1000, percentile(baseline, 0.95) * 1000
    latency.add("baseline: ingest call round trip, no socket", b50, b95, "1.00x", "1.00x")
    for name, samples in (("ingest call round trip, sockets open", returned),
                          ("ingest call start to message on A's socket", to_socket)):
        p50, p95 = percentile(samples, 0.5) * 1000, percentile(samples, 0.95) * 1000
        latency.add(name, p50, p95, ratio(p50, b50), ratio(p95, b95))
    lag = [s - r for s, r in zip(to_socket, returned, strict=True)]
    latency.add("of which after the call returned", percentile(lag, 0.5) * 1000, percentile(lag, 0.95) * 1000,
                "", "")
    latency.notes.append(f"mean {statistics.mean(to_socket) * 1000:.0f} ms to the socket; the runner polls the "
                         "streams every 50 ms (Lambda's mapping here: batching window 1 s at most).")
    counts = Table("Live updates: messages per change (counted on the sockets)",
                   ["socket", "changes", "messages", "per change"])
    counts.add("patient A, tab 1", changes, received["a1"], received["a1"] / changes)
    counts.add("patient A, tab 2", changes, received["a2"], received["a2"] / changes)
    both = received["a1"] + received["a2"]
    counts.add("patient A, all connections (2)", changes, both, both / changes)
    counts.add("patient B (no change of theirs)", changes, b_received, b_received / changes)
    counts.notes.append("Each change is one stream batch here (the next reading waits for the message); "
                        "within one batch a user's topic is sent once per connection.")
    return [latency, counts]
