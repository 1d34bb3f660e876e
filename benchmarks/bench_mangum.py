"""Mangum (FastAPI on ASGI, adapted to Lambda) against the Powertools resolver our handlers use:
the same route (GET /stats with a validated query parameter, a pydantic response), the same API
Gateway REST event, cold (a fresh process: imports, app construction, first request) and warm
(in-process invocations). The evidence behind the "no Mangum" decision in docs/decisions.md."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.report import Table, median, ratio

ROOT = Path(__file__).resolve().parents[1]
EVENT = ROOT / "events" / "biomarkers" / "get_stats.json"

FLOOR = "import boto3; boto3.client('dynamodb')"

POWERTOOLS_APP = """
import boto3
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BaseModel
from typing import Annotated
client = boto3.client('dynamodb')
app = APIGatewayRestResolver(enable_validation=True)
class Stats(BaseModel):
    total: int
    window: int
@app.get('/biomarkers/stats')
def stats(window: Annotated[int, Query(ge=1, le=365)] = 30) -> Stats:
    return Stats(total=3, window=window)
def handler(event, context):
    return app.resolve(event, context)
"""

MANGUM_APP = """
import boto3
from fastapi import FastAPI, Query
from mangum import Mangum
from pydantic import BaseModel
from typing import Annotated
client = boto3.client('dynamodb')
api = FastAPI()
class Stats(BaseModel):
    total: int
    window: int
@api.get('/biomarkers/stats')
def stats(window: Annotated[int, Query(ge=1, le=365)] = 30) -> Stats:
    return Stats(total=3, window=window)
handler = Mangum(api, lifespan='off')
"""

FIRST_REQUEST = """
import json
from clinic_local.gateway import LambdaContext
event = json.load(open({event!r}))
result = handler(event, LambdaContext('bench'))
assert result['statusCode'] == 200, result
assert json.loads(result['body'])['total'] == 3, result
"""


def _cold(code: str, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return (time.perf_counter() - started) * 1000


def _warm(source: str, event: dict[str, Any], calls: int) -> float:
    """Microseconds per invocation, in this process, after one untimed call."""
    from clinic_local.gateway import LambdaContext

    scope: dict[str, Any] = {}
    exec(compile(source, "<bench app>", "exec"), scope)  # only the two fixed apps above
    handler, context = scope["handler"], LambdaContext("bench")
    first = handler(event, context)
    assert first["statusCode"] == 200 and json.loads(first["body"])["total"] == 3, first
    started = time.perf_counter()
    for _ in range(calls):
        handler(event, context)
    return (time.perf_counter() - started) / calls * 1e6


def run(quick: bool = False) -> list[Table]:
    repeats, calls = (5, 300) if quick else (15, 3000)
    path = os.pathsep.join([str(ROOT / "shared"), str(ROOT / "local")])
    env = {**os.environ, "AWS_LAMBDA_FUNCTION_NAME": "bench", "PYTHONPATH": path}
    first = FIRST_REQUEST.format(event=str(EVENT))
    cases = {"floor": FLOOR, "powertools": POWERTOOLS_APP + first, "mangum": MANGUM_APP + first}
    samples: dict[str, list[float]] = {k: [] for k in cases}
    for round_ in range(repeats + 1):  # the first round warms the file cache and is dropped
        for key, code in cases.items():
            value = _cold(code, env)
            if round_:
                samples[key].append(value)
    floor = median(samples["floor"])
    cold = Table("Cold start: Powertools resolver vs FastAPI + Mangum (fresh process, init + first request)",
                 ["handler", "ms", "vs floor"])
    cold.add("floor: import boto3; boto3.client('dynamodb')", floor, "1.00x")
    for key, label in (("powertools", "Powertools APIGatewayRestResolver"), ("mangum", "FastAPI + Mangum")):
        cold.add(label, median(samples[key]), ratio(median(samples[key]), floor))
    cold.notes.append(f"{repeats} runs each, interleaved, median; process start included in all.")

    event = json.loads(EVENT.read_text())
    warm_samples: dict[str, list[float]] = {"powertools": [], "mangum": []}
    for _ in range(3 if quick else 5):
        warm_samples["powertools"].append(_warm(POWERTOOLS_APP, event, calls))
        warm_samples["mangum"].append(_warm(MANGUM_APP, event, calls))
    base = median(warm_samples["powertools"])
    warm = Table("Warm invocations: microseconds per request (in-process, same event)",
                 ["handler", "us/request", "vs Powertools"])
    warm.add("Powertools APIGatewayRestResolver", base, "1.00x")
    warm.add("FastAPI + Mangum", median(warm_samples["mangum"]), ratio(median(warm_samples["mangum"]), base))
    warm.notes.append(f"{calls} calls per sample after one untimed call, median of samples.")
    return [cold, warm]
