"""Cold start of each HTTP handler module: its imports plus the clients it creates at init, in a
fresh process with AWS_LAMBDA_FUNCTION_NAME set, against the floor every DynamoDB handler pays
(`import boto3; boto3.client("dynamodb")`) and a plain Powertools handler (Logger, Tracer,
Metrics, a validating resolver and one pydantic model), all measured in the same run,
interleaved, median of N runs each."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.report import Table, median, ratio
from clinic_tools import template

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
    path = os.pathsep.join([str(ROOT / "shared"), str(ROOT / "local")])
    env = {**os.environ, "AWS_LAMBDA_FUNCTION_NAME": "bench", "PYTHONPATH": path}
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
    table.notes.append(
        f"{repeats} runs each, interleaved; Python {sys.version.split()[0]}; process start included in all."
    )
    deployed = lambda_shaped(repeats)
    return [table] + ([deployed] if deployed else []) + [import_breakdown(repeats, env)]


# --- Lambda-shaped: python3.12, read-only code (no bytecode written), as deployed ------------

LAYER_DIR = ROOT / "build" / "bench" / "py312"


def _python312() -> str | None:
    for candidate in ("/root/.pyenv/versions/3.12.1/bin/python3.12", shutil.which("python3.12") or ""):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def _install(python: str, target: Path, *requirements: str) -> None:
    if (target / ".done").exists():
        return
    shutil.rmtree(target, ignore_errors=True)
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
                    "--target", str(target), *requirements], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    (target / ".done").touch()


def _strip_bytecode(root: Path) -> None:
    for cache in root.rglob("__pycache__"):
        shutil.rmtree(cache, ignore_errors=True)


def _compile(python: str, root: Path) -> None:
    subprocess.run([python, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash", str(root)],
                   check=True, stdout=subprocess.DEVNULL)


def lambda_shaped(repeats: int) -> Table | None:
    """Our layer as `sam build` ships it (sources only) and as `make build` ships it (plus .pyc),
    against the floor with a precompiled boto3 (as the Lambda runtime provides it)."""
    python = _python312()
    if python is None:
        return None
    deps, sdk = LAYER_DIR / "deps", LAYER_DIR / "sdk"
    _install(python, deps, "-r", str(ROOT / "layers" / "deps" / "requirements.txt"))
    pins = [line.split()[0] for line in (ROOT / "requirements" / "dev.lock").read_text().splitlines()
            if line.startswith(("boto3==", "botocore==", "s3transfer==", "jmespath==", "urllib3==", "python-dateutil==",
                                "six=="))]
    _install(python, sdk, "--no-deps", *pins)
    _compile(python, sdk)
    layer = LAYER_DIR / "layer"
    shutil.rmtree(layer, ignore_errors=True)
    shutil.copytree(deps, layer, ignore=shutil.ignore_patterns(".done"))
    shutil.copytree(ROOT / "shared" / "clinic", layer / "clinic", ignore=shutil.ignore_patterns("__pycache__"))
    code = ROOT / "functions" / "biomarkers" / "get_stats"
    base_env = {**os.environ, "AWS_LAMBDA_FUNCTION_NAME": "bench", "PYTHONDONTWRITEBYTECODE": "1"}

    def timed(snippet: str, path: Path, cwd: Path) -> float:
        started = time.perf_counter()
        subprocess.run([python, "-B", "-c", snippet], cwd=cwd, env={**base_env, "PYTHONPATH": str(path)}, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return (time.perf_counter() - started) * 1000

    samples: dict[str, list[float]] = {"floor": [], "source": [], "compiled": []}
    _strip_bytecode(layer)
    for _ in range(repeats):
        samples["floor"].append(timed(FLOOR, sdk, ROOT))
        samples["source"].append(timed(OURS, layer, code))
    _compile(python, layer)
    for _ in range(repeats):
        samples["floor"].append(timed(FLOOR, sdk, ROOT))
        samples["compiled"].append(timed(OURS, layer, code))
    floor = median(samples["floor"])
    table = Table("Cold start as deployed (python3.12, read-only code): GetBiomarkerStatsFunction",
                  ["layer as shipped", "ms", "vs floor"])
    table.add("floor: precompiled boto3, import + client", floor, "1.00x")
    table.add("sam build alone (sources, compiled at every cold start)", median(samples["source"]),
              ratio(median(samples["source"]), floor))
    table.add("make build (precompiled .pyc, unchecked-hash)", median(samples["compiled"]),
              ratio(median(samples["compiled"]), floor))
    table.notes.append("host-architecture wheels of the same pins; run with -B so nothing is cached between runs.")
    return table


# --- where the init goes: each part imported alone, in a fresh process ----------------------

PARTS = {
    "botocore + DynamoDB client": "import botocore.session; "
                                  "botocore.session.get_session().create_client('dynamodb', region_name='us-east-1')",
    "pydantic (BaseModel, TypeAdapter)": "from pydantic import BaseModel, TypeAdapter",
    "Powertools event handler (REST resolver)":
        "from aws_lambda_powertools.event_handler import APIGatewayRestResolver",
    "Powertools Logger + Metrics": "from aws_lambda_powertools import Logger, Metrics",
    "whole init (GetBiomarkerStatsFunction)": OURS,
}


def import_breakdown(repeats: int, env: dict[str, str]) -> Table:
    """Each part of a handler's init alone in a fresh process, minus an empty process: what
    SnapStart would take out of a cold start, and what trimming an import could. The parts
    overlap (Powertools imports pydantic and botocore pieces), so they do not add up."""
    code = ROOT / "functions" / "biomarkers" / "get_stats"
    samples: dict[str, list[float]] = {"empty": [], **{name: [] for name in PARTS}}
    for attempt in range(repeats + 1):  # the first round warms the file cache and is dropped
        round_ = {"empty": _time("pass", code, env)}
        round_.update({name: _time(snippet, code, env) for name, snippet in PARTS.items()})
        for key, value in round_.items():
            if attempt > 0:
                samples[key].append(value)
    empty = median(samples["empty"])
    whole = median(samples["whole init (GetBiomarkerStatsFunction)"]) - empty
    table = Table("Where a handler's init goes (each part alone, fresh process, median, minus an empty process)",
                  ["part", "ms", "share of the whole init"])
    for name in PARTS:
        cost = median(samples[name]) - empty
        table.add(name, cost, f"{cost / whole:.0%}")
    table.notes.append(f"{repeats} runs each, interleaved; Python {sys.version.split()[0]}; empty process "
                       f"{empty:.0f} ms. Parts overlap, so they do not sum to the whole.")
    return table
