#!/usr/bin/env python3
"""Compare two templates as CloudFormation deploys them: both are translated offline
(tools/transform_template.py), normalized, and compared resource by resource.

Usage (from .venv-sam, which has the translator):
    git show <rev>:template.yaml > build/before.yaml
    .venv-sam/bin/python tools/compare_translated.py build/before.yaml template.yaml

Normalized away, because they carry no meaning for the deployed stack:
- the order of ClinicApi's MethodSettings (a set of per-method settings);
- the grouping of the per-function Errors and Throttles alarms: each alarm that sums Lambda
  metrics (SUM(METRICS())) is replaced by one entry per (metric, function) with the alarm's
  settings, so regrouping and renaming them compares equal while a function losing its alarm,
  or an alarm changing its threshold, does not;
- the logical id and description of the SAM-generated Deployment: both carry a hash of the API's
  definition as serialized, which changes with the order the routes are declared in; the
  definition itself (the RestApi's Body) is compared, as a document.
Prints the differences that remain (nothing but "identical" when there are none); exit 1 if any.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

TOOLS = Path(__file__).resolve().parent


def translate(template: Path) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "cfn.json"
        command = [sys.executable, str(TOOLS / "transform_template.py"), str(template.resolve()), str(out)]
        subprocess.run(command, check=True,  # noqa: S603 - our own script on a path we were given
                       stdout=subprocess.DEVNULL, cwd=template.resolve().parent)
        return json.loads(out.read_text())


def _function_alarm_entries(name: str, props: dict[str, Any]) -> dict[str, Any] | None:
    metrics = props.get("Metrics") or []
    if not metrics or metrics[0].get("Expression") != "SUM(METRICS())":
        return None
    settings = {k: v for k, v in props.items() if k not in ("Metrics", "AlarmDescription")}
    entries = {}
    for metric in metrics[1:]:
        stat = metric["MetricStat"]
        dims = stat["Metric"]["Dimensions"]
        function = json.dumps(dims[0]["Value"], sort_keys=True)
        key = f"FunctionAlarm[{stat['Metric']['MetricName']} of {function}]"
        entries[key] = {"Type": "AWS::CloudWatch::Alarm", "Watch": {**stat, **settings}}
    return entries


def normalize(cfn: dict[str, Any]) -> dict[str, Any]:
    cfn = copy.deepcopy(cfn)
    resources: dict[str, Any] = {}
    deployments = {}
    for name, res in cfn["Resources"].items():
        props = res.get("Properties", {})
        if res["Type"] == "AWS::CloudWatch::Alarm":
            entries = _function_alarm_entries(name, props)
            if entries is not None:
                for key, value in entries.items():
                    if key in resources:
                        raise SystemExit(f"{key} is watched twice")
                    resources[key] = value
                continue
        if res["Type"] == "AWS::ApiGateway::Stage" and "MethodSettings" in props:
            props["MethodSettings"] = sorted(props["MethodSettings"], key=lambda m: json.dumps(m, sort_keys=True))
        if res["Type"] == "AWS::ApiGateway::Deployment":
            deployments[name] = "ClinicApiDeployment*"
            props["Description"] = re.sub(r"[0-9a-f]{40}", "*", props.get("Description", ""))
            resources["ClinicApiDeployment*"] = res
            continue
        resources[name] = res
    text = json.dumps(resources, sort_keys=True)
    for name, stable in deployments.items():
        text = re.sub(rf'"{name}"', json.dumps(stable), text)
    cfn["Resources"] = json.loads(text)
    return cfn


def differences(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    out = []
    for section in sorted(set(before) | set(after)):
        a, b = before.get(section), after.get(section)
        if section != "Resources" and a != b:
            out.append(f"{section}: differs")
    ra, rb = before["Resources"], after["Resources"]
    out += [f"only before: {name}" for name in sorted(set(ra) - set(rb))]
    out += [f"only after: {name}" for name in sorted(set(rb) - set(ra))]
    for name in sorted(set(ra) & set(rb)):
        if ra[name] != rb[name]:
            out.append(f"changed: {name}\n  before: {json.dumps(ra[name], sort_keys=True)[:400]}"
                       f"\n  after:  {json.dumps(rb[name], sort_keys=True)[:400]}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    raw_before, raw_after = translate(args.before), translate(args.after)
    before, after = normalize(raw_before), normalize(raw_after)
    print(f"translated resources: before {len(raw_before['Resources'])}, after {len(raw_after['Resources'])}; "
          f"compared after normalizing: {len(before['Resources'])} and {len(after['Resources'])}")
    found = differences(before, after)
    print("\n".join(found) if found else "identical")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
