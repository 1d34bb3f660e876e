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


def changed_paths(a: Any, b: Any, path: str = "") -> list[tuple[str, Any, Any]]:
    """(path, before, after) for every leaf where two JSON documents differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        return [c for key in sorted(set(a) | set(b)) for c in changed_paths(a.get(key), b.get(key), f"{path}.{key}")]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [c for i, (x, y) in enumerate(zip(a, b, strict=True)) for c in changed_paths(x, y, f"{path}[{i}]")]
    return [] if a == b else [(path.lstrip("."), a, b)]


def _shown(a: Any, b: Any) -> tuple[str, str]:
    """Both values as JSON, from a little before where they start to differ."""
    ja, jb = json.dumps(a), json.dumps(b)
    common = next((i for i, (x, y) in enumerate(zip(ja, jb, strict=False)) if x != y), min(len(ja), len(jb)))
    cut = max(0, common - 30)
    prefix = "..." if cut else ""
    return (prefix + ja[cut:])[:200], (prefix + jb[cut:])[:200]


def differences(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """One line per kind of change, with the resources it applies to (the same change to many
    resources is one line)."""
    out = []
    for section in sorted((set(before) | set(after)) - {"Resources"}):
        for path, a, b in changed_paths(before.get(section), after.get(section), section):
            shown_a, shown_b = _shown(a, b)
            out.append(f"{path}:\n  before: {shown_a}\n  after:  {shown_b}")
    ra, rb = before["Resources"], after["Resources"]
    out += [f"only before: {name}" for name in sorted(set(ra) - set(rb))]
    out += [f"only after: {name}" for name in sorted(set(rb) - set(ra))]
    grouped: dict[tuple[str, str, str], list[str]] = {}
    for name in sorted(set(ra) & set(rb)):
        for path, a, b in changed_paths(ra[name], rb[name]):
            grouped.setdefault((path, *_shown(a, b)), []).append(name)
    for (path, a, b), names in grouped.items():
        where = names[0] if len(names) == 1 else f"{len(names)} resources ({names[0]}, ...)"
        out.append(f"changed: {where}: {path}\n  before: {a}\n  after:  {b}")
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
    for label, raw, normal in (("before", raw_before, before), ("after", raw_after, after)):
        grouped = sorted(n for n, r in raw["Resources"].items()
                         if r["Type"] == "AWS::CloudWatch::Alarm"
                         and _function_alarm_entries(n, r.get("Properties", {})) is not None)
        watched = sum(1 for n in normal["Resources"] if n.startswith("FunctionAlarm["))
        print(f"function alarms {label}: {len(grouped)} ({', '.join(grouped)}), watching {watched} (metric, function)")
    found = differences(before, after)
    print("\n".join(found) if found else "identical")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
