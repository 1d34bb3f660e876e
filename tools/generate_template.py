#!/usr/bin/env python3
"""Write ``template.yaml`` from the area fragments in ``template/`` and each function's
``function.yaml``; ``--check`` fails when the committed file differs (``make test`` runs it).

Usage:
    python tools/generate_template.py           # writes template.yaml
    python tools/generate_template.py --check   # exit 1 and a diff when template.yaml is stale

The fragments are copied as written (comments included), area by area in the domain's order;
a fragment may hold any of Parameters, Conditions, Rules, Resources and Outputs, and the stack fragment
also the header and Globals. After each area's own resources come the resources of the functions
that live in it (``AREAS``), each built from its ``function.yaml``:

- the function (CodeUri from the folder, ``app.handler``, its log group, the data-key statement
  before its own ``Statements``, its route's event read from the handler's decorator),
- its log group (retention from LogRetentionDays, encrypted with DataKey),
- for a Cognito trigger, the pool's permission to invoke it,
- its own ``Resources``, as written;

and, across functions, the route throttles (``Throttle``, into ClinicApi's MethodSettings where
the API fragment says so), ClinicApi's DefinitionBody (every method a routed path does not take,
answered 405 with the path's ``Allow`` by a MOCK ``ANY`` method, where the API fragment says so) and
one Errors and one Throttles alarm per ``Alarms`` group. README.md
("Adding a function, a route or a resource") has the manifest's keys.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
FRAGMENTS = ROOT / "template"
FUNCTIONS = ROOT / "functions"
OUTPUT = ROOT / "template.yaml"
MANIFEST = "function.yaml"

# Fragment, and the folders under functions/ whose functions follow it, in the domain's order.
AREAS: list[tuple[str, list[str]]] = [
    ("00-stack", []),
    ("10-identity", ["auth"]),
    ("20-data", []),
    ("30-api", ["me", "account", "biomarkers", "appointments", "medications", "admin"]),
    ("35-hosting", []),
    ("40-ingest", ["ingest"]),
    ("50-rollups", ["rollups"]),
    ("55-reminders", ["reminders"]),
    ("60-live", ["live"]),
    ("70-ops", []),
]

# Each function names the group whose alarms watch it; the name says what is watched. A CloudWatch
# alarm sums at most 10 metrics, so a group holds at most 10 functions.
ALARM_GROUPS = {
    "SignIn": "the sign-in functions (the email-link route and the Cognito triggers)",
    "PatientAccount": "the patient's account routes (profile, export, deletion) and the erasure worker",
    "PatientBiomarkers": "the patient's biomarker routes",
    "PatientCare": "the patient's appointment and medication routes",
    "StaffPatientReads": "the staff routes that read a patient's records",
    "StaffPatientWrites": "the staff routes that change a patient's records",
    "StaffRolesAndAudit": "the staff routes for roles and the audit log",
    "ReadingsPipeline": "the readings pipeline (ingest and the nightly rollups)",
    "LiveUpdates": "the live-update functions",
    "Reminders": "the appointment reminders",
}
MAX_METRICS_PER_ALARM = 10

TOP_LEVEL_ORDER = ["AWSTemplateFormatVersion", "Transform", "Description", "Metadata", "Parameters",
                   "Conditions", "Rules", "Globals", "Resources", "Outputs"]
MERGED_KEYS = {"Parameters", "Conditions", "Rules", "Resources", "Outputs"}
MANIFEST_KEYS = {"Name", "Description", "Alarms", "Public", "Throttle", "CognitoTrigger", "ChecksTheAccount",
                 "DataKey", "Properties", "Statements", "Resources"}
THROTTLE_MARKER = "# generated: a route whose function.yaml sets Throttle gets its own entry here"
NOT_ALLOWED_MARKER = "# generated: every API path answers the methods it does not route with 405 and Allow"
# The headers every function sends (clinic.api.resolver), on the 405 API Gateway answers itself.
NOT_ALLOWED_HEADERS = {
    "Cache-Control": "\"'no-store'\"",
    "Strict-Transport-Security": "\"'max-age=63072000; includeSubDomains'\"",
    "X-Content-Type-Options": "\"'nosniff'\"",
    "Access-Control-Allow-Origin": "!Sub \"'${AllowedOrigins}'\"",
}
NOT_ALLOWED_BODY = ('{"error": {"code": "method_not_allowed", "message": "this path does not take this method", '
                    '"details": []}}')
ROUTE_DECORATOR = re.compile(r'@\w+\.(get|post|put|patch|delete)\(\s*"(/[^"]*)"')
# The account behind a token is checked (clinic.services.users.check_account) where
# clinic.entry.http.lambda_entry checks it: on a staff resolver's route, a route that changes
# something, and a read whose entry asks for it; a function without a route says so in its manifest.
CHANGE_METHODS = {"post", "put", "patch", "delete"}
STAFF_RESOLVER = re.compile(r"make_resolver\([^)]*\bstaff=True")
CURRENT_ACCOUNT = re.compile(r"lambda_entry\([^)]*\bcurrent_account=True")
CHECK_THE_ACCOUNT = [
    "  - Sid: CheckTheAccount  # a deleted account is a 401, a demoted admin a 403 (docs/decisions.md)",
    "    Effect: Allow",
    "    Action: dynamodb:GetItem",
    "    Resource: [!GetAtt UsersTable.Arn, !GetAtt AuthTable.Arn]",
]
GENERATED_NOTE = (
    "# Generated by tools/generate_template.py from template/*.yaml and functions/*/*/function.yaml:\n"
    "# edit those and run `make template` (README.md, \"Adding a function, a route or a resource\").\n"
)


class ManifestLoader(yaml.SafeLoader):
    """Reads a manifest's values; short-form intrinsics become plain values (only the text is
    copied into the template, the values are only checked)."""


ManifestLoader.add_multi_constructor("!", lambda loader, suffix, node: None)


def top_level_blocks(text: str, source: str) -> dict[str, list[str]]:
    """A YAML file's top-level keys -> their lines (the key's line first), comments above a key
    going with it."""
    blocks: dict[str, list[str]] = {}
    pending: list[str] = []
    current: list[str] | None = None
    for line in text.splitlines():
        key = re.match(r"^([A-Za-z][A-Za-z0-9]*):", line)
        if key:
            if key.group(1) in blocks:
                raise ValueError(f"{source}: {key.group(1)} appears twice")
            current = blocks[key.group(1)] = [*pending, line]
            pending = []
        elif line.startswith((" ", "\t")) and current is not None:
            current.extend(pending)
            pending = []
            current.append(line)
        else:
            pending.append(line)
    if current is not None and any(line.strip() for line in pending):
        raise ValueError(f"{source}: text after the last key at the top level")
    for lines in blocks.values():
        while lines and not lines[-1].strip():
            lines.pop()
    return blocks


def key_index(block: list[str]) -> int:
    """Where a block's key line is (the comments above it come first)."""
    return next(i for i, line in enumerate(block) if line.strip() and not line.lstrip().startswith("#"))


def key_line(block: list[str]) -> str:
    return block[key_index(block)]


def body(block: list[str]) -> list[str]:
    """A block's lines below its key line."""
    return block[key_index(block) + 1:]


def indent(lines: list[str], by: int) -> list[str]:
    return [" " * by + line if line.strip() else "" for line in lines]


@dataclass(frozen=True)
class Manifest:
    folder: Path
    blocks: dict[str, list[str]]
    values: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.values["Name"])

    @property
    def route(self) -> tuple[str, str] | None:
        """(method, path) from the handler's route decorator; None for a function without one."""
        found = ROUTE_DECORATOR.findall((self.folder / "app.py").read_text())
        if len(found) > 1:
            raise ValueError(f"{self.folder}: one route per function, found {len(found)}")
        if not found:
            return None
        method, path = found[0]
        return method, re.sub(r"<(\w+)>", r"{\1}", path)  # the resolver's <id> is API Gateway's {id}

    @property
    def checks_account(self) -> bool:
        """Whether the function reads the account behind its caller's token (Users and Auth
        items): derived from its route's entry as lambda_entry decides it, or, for a function
        without a route (the WebSocket $connect), from ``ChecksTheAccount`` in its manifest."""
        route = self.route
        if route is None or self.values.get("Public"):
            return bool(self.values.get("ChecksTheAccount"))
        code = (self.folder / "app.py").read_text()
        return route[0] in CHANGE_METHODS or bool(STAFF_RESOLVER.search(code) or CURRENT_ACCOUNT.search(code))


def read_manifest(path: Path) -> Manifest:
    text = path.read_text()
    source = str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    values = yaml.load(text, Loader=ManifestLoader) or {}  # noqa: S506 - SafeLoader subclass
    unknown = set(values) - MANIFEST_KEYS
    if unknown:
        raise ValueError(f"{source}: unknown keys {sorted(unknown)} (known: {sorted(MANIFEST_KEYS)})")
    for required in ("Name", "Description", "Alarms"):
        if required not in values:
            raise ValueError(f"{source}: {required} is required")
    if values["Alarms"] not in ALARM_GROUPS:
        raise ValueError(f"{source}: Alarms must be one of {sorted(ALARM_GROUPS)}")
    if ("Statements" in values) != ("DataKey" in values):
        raise ValueError(f"{source}: a function with Statements names its DataKey actions, and only then")
    manifest = Manifest(path.parent, top_level_blocks(text, source), values)
    for key in ("Properties", "Statements", "Resources"):
        if key in manifest.blocks and not re.fullmatch(rf"{key}:\s*(#.*)?", key_line(manifest.blocks[key])):
            raise ValueError(f"{source}: {key} takes a block below its key, not a value on the key's line")
    if body(manifest.blocks["Description"]) or "\n" in str(values["Description"]):
        raise ValueError(f"{source}: Description is one line")
    if ("Throttle" in values or "Public" in values) and manifest.route is None:
        raise ValueError(f"{source}: Throttle and Public are for functions with a route")
    if "ChecksTheAccount" in values and manifest.route is not None:
        raise ValueError(f"{source}: ChecksTheAccount is derived from the route's entry; only a function "
                         "without a route sets it")
    if "Sid: CheckTheAccount" in "".join(manifest.blocks.get("Statements", [])):
        raise ValueError(f"{source}: the CheckTheAccount statement is generated (see checks_account)")
    if manifest.checks_account and "Statements" not in manifest.blocks:
        raise ValueError(f"{source}: a function that checks the account has Statements (and a DataKey)")
    return manifest


def manifests_of(folders: list[str]) -> list[Manifest]:
    found = []
    for folder in folders:
        for path in sorted((FUNCTIONS / folder).glob(f"*/{MANIFEST}")):
            found.append(read_manifest(path))
    return found


def function_resources(m: Manifest) -> list[str]:
    name, values = m.name, m.values
    code_uri = f"functions/{m.folder.parent.name}/{m.folder.name}/"
    description = key_line(m.blocks["Description"]).split(":", 1)[1].strip()
    lines = [
        f"  # {code_uri}{MANIFEST}",
        *indent(m.blocks["Name"][:key_index(m.blocks["Name"])], 2),  # the comments above Name
        f"  {name}Function:",
        "    Type: AWS::Serverless::Function",
        "    Properties:",
        f"      Description: {description}",
        f"      CodeUri: {code_uri}",
        "      Handler: app.handler",
    ]
    if "Properties" in m.blocks:
        lines += indent(body(m.blocks["Properties"]), 4)
    lines += ["      LoggingConfig:", f"        LogGroup: !Ref {name}LogGroup"]
    if "Statements" in m.blocks:
        actions = values["DataKey"]
        action = actions[0] if isinstance(actions, list) and len(actions) == 1 else actions
        action_text = action if isinstance(action, str) else "[" + ", ".join(action) + "]"
        lines += [
            "      Policies:",
            "        - Statement:",
            "            - Sid: UseTheDataKey  # tables, queues and secrets are encrypted with DataKey",
            "              Effect: Allow",
            f"              Action: {action_text}",
            "              Resource: !GetAtt DataKey.Arn",
            *(indent(CHECK_THE_ACCOUNT, 10) if m.checks_account else []),
            *indent(body(m.blocks["Statements"]), 10),
        ]
    route = m.route
    if route:
        lines += [
            "      Events:",
            "        Api:",
            "          Type: Api",
            "          Properties:",
            "            RestApiId: !Ref ClinicApi",
            f"            Path: {route[1]}",
            f"            Method: {route[0]}",
        ]
        if values.get("Public"):
            lines += ["            Auth:", "              Authorizer: NONE"]
    lines += [
        "",
        f"  {name}LogGroup:",
        "    Type: AWS::Logs::LogGroup",
        "    Properties:",
        "      RetentionInDays: !Ref LogRetentionDays",
        "      KmsKeyId: !GetAtt DataKey.Arn",
    ]
    if values.get("CognitoTrigger"):
        lines += [
            "",
            f"  {name}Permission:",
            "    Type: AWS::Lambda::Permission",
            "    Properties:",
            "      Action: lambda:InvokeFunction",
            f"      FunctionName: !GetAtt {name}Function.Arn",
            "      Principal: cognito-idp.amazonaws.com",
            "      SourceAccount: !Ref AWS::AccountId",
            "      SourceArn: !GetAtt UserPool.Arn",
        ]
    if "Resources" in m.blocks:
        lines += ["", *body(m.blocks["Resources"])]
    return lines


def method_settings(manifests: list[Manifest], marker_indent: int) -> list[str]:
    pad = " " * marker_indent
    lines = []
    for m in manifests:
        throttle = m.values.get("Throttle")
        if not throttle:
            continue
        method, path = m.route or ("", "")
        why = key_line(m.blocks["Throttle"]).partition("#")[2].strip()
        resource_path = "/" + path.replace("/", "~1")
        lines += [
            f'{pad}- ResourcePath: "{resource_path}"' + (f"  # {why}" if why else ""),
            f"{pad}  HttpMethod: {method.upper()}",
            f"{pad}  ThrottlingRateLimit: {throttle['Rate']}",
            f"{pad}  ThrottlingBurstLimit: {throttle['Burst']}",
            f"{pad}  MetricsEnabled: true",
            f"{pad}  DataTraceEnabled: false",
            f'{pad}  LoggingLevel: "OFF"',
            f"{pad}  CachingEnabled: false",
        ]
    return lines


def allow_header(methods: set[str]) -> str:
    """The ``Allow`` of a path: its routed methods and the preflight's OPTIONS."""
    return ", ".join([*sorted(m.upper() for m in methods), "OPTIONS"])


def not_allowed_definition(manifests: list[Manifest], marker_indent: int) -> list[str]:
    """ClinicApi's DefinitionBody: on every routed path a MOCK ``ANY`` method answering 405 with
    the path's ``Allow`` and the error shape: no Lambda, no authorizer, no request to anything.
    API Gateway's ANY catches only the methods a path does not declare; SAM adds the routes (the
    functions' Api events, as MergeDefinitions asks) and the preflight OPTIONS beside it. The
    parts every path shares are written once, on the first path, and referred to by YAML anchor."""
    paths: dict[str, set[str]] = {}
    for m in manifests:
        if m.route:
            paths.setdefault(m.route[1], set()).add(m.route[0].upper())
    pad = " " * marker_indent
    lines = [
        f"{pad}# Generated: every method a path does not route is answered 405 with Allow by API Gateway",
        f"{pad}# itself (a MOCK ANY method); SAM adds the routes and the preflight to this document.",
        f"{pad}MergeDefinitions: true  # without it SAM adds no route to a DefinitionBody",
        f"{pad}DefinitionBody:",
        f'{pad}  swagger: "2.0"',
        f'{pad}  info: {{title: !Ref AWS::StackName, version: "1.0"}}',
        f"{pad}  paths:",
    ]
    p = pad + " " * 6
    for n, path in enumerate(sorted(paths)):
        headers = [f"method.response.header.Allow: \"'{allow_header(paths[path])}'\"",
                   *(f"method.response.header.{name}: {value}" for name, value in NOT_ALLOWED_HEADERS.items())]
        lines += [f"{pad}    {path}:", f"{pad}      x-amazon-apigateway-any-method:",
                  f"{p}  security: [{{NONE: []}}]  # answered before any token check, as the local runner does"]
        if n == 0:
            lines += [
                f"{p}  responses:",
                f'{p}    "405": &not-allowed-response',
                f"{p}      description: The path does not take this method",
                f"{p}      headers:",
                *(f"{p}        {name}: {{type: string}}" for name in ["Allow", *NOT_ALLOWED_HEADERS]),
                f"{p}  x-amazon-apigateway-integration:",
                f"{p}    type: mock",
                f"{p}    passthroughBehavior: when_no_match",
                f"{p}    requestTemplates: &not-allowed-request",
                f"{p}      application/json: '{{\"statusCode\": 405}}'",
            ]
        else:
            lines += [
                f'{p}  responses: {{"405": *not-allowed-response}}',
                f"{p}  x-amazon-apigateway-integration:",
                f"{p}    type: mock",
                f"{p}    passthroughBehavior: when_no_match",
                f"{p}    requestTemplates: *not-allowed-request",
            ]
        lines += [
            f"{p}    responses:",
            f"{p}      default:",
            f'{p}        statusCode: "405"',
            f"{p}        responseParameters:",
            *(f"{p}          {h}" for h in headers),
        ]
        if n == 0:
            lines += [f"{p}        responseTemplates: &not-allowed-body",
                      f"{p}          application/json: '{NOT_ALLOWED_BODY}'"]
        else:
            lines += [f"{p}        responseTemplates: *not-allowed-body"]
    return lines


def alarms(manifests: list[Manifest]) -> list[str]:
    groups: dict[str, list[str]] = {group: [] for group in ALARM_GROUPS}
    for m in manifests:
        groups[m.values["Alarms"]].append(m.name)
    lines = [
        "  # Lambda Errors and Throttles of every function, summed per group (each function's",
        "  # function.yaml names its group under Alarms); the function is in the metric list.",
    ]
    for group, names in groups.items():
        if not names:
            continue
        if len(names) > MAX_METRICS_PER_ALARM:
            raise ValueError(f"alarm group {group} has {len(names)} functions; at most {MAX_METRICS_PER_ALARM}")
        for metric in ("Errors", "Throttles"):
            lines += [
                "",
                f"  {group}{metric}Alarm:",
                "    Type: AWS::CloudWatch::Alarm",
                "    Properties:",
                f"      AlarmDescription: Lambda {metric.lower()} in {ALARM_GROUPS[group]}; any is worth a look,"
                " and the metric list names the function.",
                "      Metrics:",
                "        - Id: total",
                "          Expression: SUM(METRICS())",
                f"          Label: {metric}",
                "          ReturnData: true",
            ]
            for i, name in enumerate(names):
                lines += [
                    f"        - Id: m{i}",
                    "          ReturnData: false",
                    "          MetricStat:",
                    "            Metric:",
                    "              Namespace: AWS/Lambda",
                    f"              MetricName: {metric}",
                    f"              Dimensions: [{{ Name: FunctionName, Value: !Ref {name}Function }}]",
                    "            Period: 300",
                    "            Stat: Sum",
                ]
            lines += [
                "      EvaluationPeriods: 1",
                "      Threshold: 0",
                "      ComparisonOperator: GreaterThanThreshold",
                "      TreatMissingData: notBreaching",
                "      AlarmActions: [!Ref AlarmTopic]",
                "      OKActions: [!Ref AlarmTopic]",
            ]
    return lines


def render() -> str:
    fragments = {name: top_level_blocks((FRAGMENTS / f"{name}.yaml").read_text(), f"template/{name}.yaml")
                 for name, _ in AREAS}
    known = {p.name for p in FRAGMENTS.glob("*.yaml")}
    if known != {f"{name}.yaml" for name, _ in AREAS}:
        raise ValueError(f"template/ holds {sorted(known)}; AREAS in tools/generate_template.py names each one")
    placed = {folder for _, folders in AREAS for folder in folders}
    unplaced = {p.parent.parent.name for p in FUNCTIONS.glob(f"*/*/{MANIFEST}")} - placed
    if unplaced:
        raise ValueError(f"functions/{sorted(unplaced)}: add the folder to an area in AREAS")
    every_app = {p.parent for p in FUNCTIONS.glob("*/*/app.py")}
    missing = sorted(str(p.relative_to(ROOT)) for p in every_app if not (p / MANIFEST).exists())
    if missing:
        raise ValueError(f"no {MANIFEST} beside {missing}")

    by_area = {name: manifests_of(folders) for name, folders in AREAS}
    everyone = [m for name, _ in AREAS for m in by_area[name]]
    names = [m.name for m in everyone]
    if len(names) != len(set(names)):
        raise ValueError(f"two functions share a Name: {sorted({n for n in names if names.count(n) > 1})}")

    out: list[str] = []
    for key in TOP_LEVEL_ORDER:
        holders = [name for name, _ in AREAS if key in fragments[name]]
        generated_resources = key == "Resources"
        if not holders and not generated_resources:
            continue
        if key not in MERGED_KEYS:
            if len(holders) > 1:
                raise ValueError(f"{key} may appear in one fragment only, found in {holders}")
            block = fragments[holders[0]][key]
            out += [*block, ""] if len(block) > 1 else block
            continue
        out.append(f"{key}:")
        for name, _ in AREAS:
            chunk = body(fragments[name][key]) if key in fragments[name] else []
            if generated_resources:
                for m in by_area[name]:
                    chunk += ["", *function_resources(m)]
                if name == AREAS[-1][0]:
                    chunk += ["", *alarms(everyone)]
            if not any(line.strip() for line in chunk):
                continue
            if generated_resources:
                title = name.split("-", 1)[1]
                out += [f"  # {'=' * 66} {title} (template/{name}.yaml)"]
            while chunk and not chunk[0].strip():
                chunk.pop(0)
            out += [*chunk, ""]

    text = "\n".join(out)
    marker = re.search(rf"^( *){re.escape(THROTTLE_MARKER)}$", text, flags=re.M)
    if marker is None:
        raise ValueError(f"template/30-api.yaml: the line '{THROTTLE_MARKER}' places the route throttles")
    settings = "\n".join(method_settings(everyone, len(marker.group(1))))
    text = text[:marker.start()] + settings + text[marker.end():]
    marker = re.search(rf"^( *){re.escape(NOT_ALLOWED_MARKER)}$", text, flags=re.M)
    if marker is None:
        raise ValueError(f"template/30-api.yaml: the line '{NOT_ALLOWED_MARKER}' places the 405 answers")
    definition = "\n".join(not_allowed_definition(everyone, len(marker.group(1))))
    text = text[:marker.start()] + definition + text[marker.end():]
    text = re.sub(r"\n{3,}", "\n\n", text).rstrip("\n") + "\n"
    return GENERATED_NOTE + text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="fail when template.yaml is stale")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        committed = OUTPUT.read_text()
        if committed != text:
            diff = difflib.unified_diff(committed.splitlines(), text.splitlines(), "template.yaml", "generated",
                                        lineterm="", n=1)
            print("\n".join(list(diff)[:60]))
            print("template.yaml is stale: run `make template` and commit it", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(text)
    print(f"wrote {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
