"""Cold start of the ingest function on its two paths, each in fresh processes with
AWS_LAMBDA_FUNCTION_NAME set: the plain path (the handler module, then one reading validated)
and the FHIR path (the same module, then the FHIR models imported and the sample Bundle parsed
and mapped onto the catalog), against the handler module alone and the boto3 floor, all measured
in the same run, interleaved, median of N runs each. No DynamoDB request is made: the figures
are the Python work each path adds before its first request."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.report import Table, median, ratio

ROOT = Path(__file__).resolve().parents[1]
HANDLER_DIR = ROOT / "functions" / "ingest" / "readings"
SAMPLE = ROOT / "events" / "ingest" / "fhir_bundle.json"

CASES = {
    "floor: import boto3; boto3.client('dynamodb')": "import boto3; boto3.client('dynamodb')",
    "ingest handler module (what both paths load)": "import app; from clinic import aws; aws.dynamodb()",
    "plain path: module + one reading validated": (
        "import app; from clinic import aws; aws.dynamodb(); from clinic.services import ingest\n"
        "r = ingest.validate({'userId': 'u1', 'name': 'Glucose', 'value': 85, 'unit': 'mg/dL',"
        " 'recordedAt': 1772958600000, 'source': 'lab.acme', 'sourceReadingId': 'r1'})\n"
        "assert not isinstance(r, str), r"
    ),
    "FHIR path: module + FHIR models imported + sample Bundle parsed and mapped": (
        "import app, json; from clinic import aws; aws.dynamodb()\n"
        "from clinic.fhir import bundle, mapping\n"
        f"results = bundle.parse(json.load(open({str(SAMPLE)!r})))\n"
        "assert not isinstance(mapping.to_reading(results[0]), tuple)"
    ),
}
BASELINE = "ingest handler module (what both paths load)"


def _time(code: str, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=HANDLER_DIR, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return (time.perf_counter() - started) * 1000


def run(quick: bool = False) -> list[Table]:
    repeats = 5 if quick else 15
    path = os.pathsep.join([str(ROOT / "shared"), str(ROOT / "local")])
    env = {**os.environ, "AWS_LAMBDA_FUNCTION_NAME": "bench", "PYTHONPATH": path}
    samples: dict[str, list[float]] = {label: [] for label in CASES}
    for round_ in range(repeats + 1):  # the first round warms the file cache and is dropped
        for label, code in CASES.items():
            elapsed = _time(code, env)
            if round_:
                samples[label].append(elapsed)
    base = median(samples[BASELINE])
    table = Table("Ingest cold start: plain path vs FHIR path (separate processes, median)",
                  ["process", "ms", "vs handler module"])
    for label in CASES:
        table.add(label, median(samples[label]), ratio(median(samples[label]), base))
    table.notes.append(f"{repeats} runs each, interleaved; Python {sys.version.split()[0]}; process start included.")
    return [table]
