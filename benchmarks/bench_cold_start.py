"""Cold start of each HTTP handler module: its imports plus the clients it creates at init, in a
fresh process with AWS_LAMBDA_FUNCTION_NAME set, against the floor every DynamoDB handler pays
(`import boto3; boto3.client("dynamodb")`) and a plain Powertools handler (Logger, Tracer,
Metrics, a validating resolver and one pydantic model), all measured in the same run,
interleaved, median of N runs each."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.report import Table, median, ratio
from clinic_local import template

ROOT = Path(__file__).resolve().parents[1]

FLOOR = "import boto3; boto3.client('dynamodb')"
PLAIN_POWERTOOLS = """
import boto3
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from pydantic import BaseModel
logger, tracer, metrics = Logger(), Tracer(), Metrics()
client = boto3.client('dynamodb')
app = APIGatewayRestResolver(enable_validation=True)
class Stats(BaseModel):
    total: int
@app.get('/stats')
def stats() -> Stats:
    return Stats(total=0)
"""
OURS = "import app; from clinic import aws; aws.dynamodb()"
# What the first request adds on top (validation, route resolution, models, logging, metrics),
# with DynamoDB answered by botocore's Stubber so that no network time is counted.
FIRST_REQUEST = OURS + """
import json
from botocore.stub import Stubber
from clinic_local.gateway import LambdaContext
stub = Stubber(aws.dynamodb())
stub.add_response({operation!r}, {response})
stub.activate()
event = json.load(open({event!r}))
result = app.handler(event, LambdaContext('bench'))
assert result['statusCode'] == 200, result
"""


def _time(code: str, cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return (time.perf_counter() - started) * 1000


def run(quick: bool = False) -> list[Table]:
    repeats = 5 if quick else 15
    env = {**os.environ, "AWS_LAMBDA_FUNCTION_NAME": "bench", "PYTHONPATH": str(ROOT / "shared") + os.pathsep + str(ROOT / "local"),
           "PYTHONDONTWRITEBYTECODE": "0"}
    events = {
        "GetBiomarkerStatsFunction": ("biomarkers/get_stats.json", "get_item", "{}"),
        "ListAppointmentsFunction": ("appointments/list.json", "query", "{'Items': [], 'Count': 0, 'ScannedCount': 0}"),
    }
    samples: dict[str, list[float]] = {"floor": [], "plain": []}
    cases = {}
    for logical_id, fn in template.functions().items():
        if any(e["Type"] == "Api" for e in (fn.properties.get("Events") or {}).values()):
            cases[logical_id] = fn.code_uri
            samples[logical_id] = []
            if logical_id in events:
                samples[logical_id + "+1st"] = []
    for _ in range(repeats + 1):  # the first round warms the file cache and is dropped
        round_ = {"floor": _time(FLOOR, ROOT, env), "plain": _time(PLAIN_POWERTOOLS, ROOT, env)}
        for logical_id, code_uri in cases.items():
            round_[logical_id] = _time(OURS, code_uri, env)
            if logical_id in events:
                name, operation, response = events[logical_id]
                code = FIRST_REQUEST.format(event=str(ROOT / "events" / name), operation=operation, response=response)
                round_[logical_id + "+1st"] = _time(code, code_uri, env)
        for key, value in round_.items():
            if _ > 0 or repeats == 0:
                samples[key].append(value)
    floor = median(samples["floor"])
    table = Table("Cold start: handler module init vs the boto3 floor (separate processes, median)",
                  ["module", "ms", "vs floor"])
    table.add("floor: import boto3; boto3.client('dynamodb')", floor, "1.00x")
    table.add("plain Powertools (Logger, Tracer, Metrics, validating resolver, 1 model)", median(samples["plain"]),
              ratio(median(samples["plain"]), floor))
    for key in samples:
        if key not in ("floor", "plain"):
            label = key.replace("+1st", " (init + first request)")
            table.add(label, median(samples[key]), ratio(median(samples[key]), floor))
    table.notes.append(f"{repeats} runs each, interleaved; Python {sys.version.split()[0]}; process start included in all.")
    return [table]
