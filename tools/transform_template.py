#!/usr/bin/env python3
"""Transform a SAM template into plain CloudFormation JSON, fully offline.

Usage:
    python tools/transform_template.py template.yaml build/cfn.json
    python tools/transform_template.py template.yaml build/cfn.json \
        --region eu-west-1 --parameter-overrides Stage=prod

Needs aws-sam-translator (and preferably cfn-lint, whose YAML loader is
reused); see tools/requirements-cfn.txt.  Both are also present in
.venv-sam, so the script runs from either venv.

Offline guarantees:
* YAML short-form tags (!Ref, !GetAtt A.B, !Sub, !If, ...) are loaded with
  cfn-lint's CloudFormation loader (falls back to samtranslator's own helper).
* The translator gets an explicit boto3 Session with a fake region and dummy
  credentials, so it never looks up a region, credentials or the instance
  metadata service.
* AWS managed policies named in `Policies:` are resolved from the map bundled
  with aws-sam-translator.  The IAM fallback (ListPolicies) is replaced by a
  stub that never calls AWS; if it is hit, the policy name is unknown and the
  script exits 2 (use the full ARN instead), unless --allow-unknown-policies.
* A SAM resource's Metadata (e.g. `checkov: {skip: [...]}`) is copied onto
  every resource generated from it (Function -> Role, Permission; Api ->
  Deployment, Stage), so checkov skips written on the SAM resource reach the
  generated resources; with --no-passthrough-metadata only the resource that
  keeps the logical id (AWS::Lambda::Function, AWS::ApiGateway::RestApi) has it.
* Checkov suppressions written once at the template's top level,
  `Metadata: {ClinicCheckovSkips: {<logical id or glob>: [{id, comment}]}}`, are
  applied to every transformed resource whose logical id matches, as
  `Metadata.checkov.skip` (SAM does not carry a Serverless::Function's Metadata to
  the AWS::Lambda::Function it generates). A suppression without a reason, or a
  pattern that matches nothing, is an error (exit 1).
* Local CodeUri/ContentUri/DefinitionUri paths are replaced by placeholder
  s3:// URIs (what `sam package` would do), because the translator only
  accepts S3 locations.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import sys
from pathlib import Path
from typing import Any

FAKE_ACCOUNT_ID = "123456789012"
FAKE_REGION = "us-east-1"
PLACEHOLDER_BUCKET = "offline-placeholder-bucket"

# SAM resource type -> property that may hold a local path.
_LOCAL_URI_PROPS = {
    "AWS::Serverless::Function": "CodeUri",
    "AWS::Serverless::LayerVersion": "ContentUri",
    "AWS::Serverless::Api": "DefinitionUri",
    "AWS::Serverless::HttpApi": "DefinitionUri",
    "AWS::Serverless::StateMachine": "DefinitionUri",
    "AWS::Serverless::GraphQLApi": "SchemaUri",
}


def load_template(path: Path) -> dict[str, Any]:
    """Load a JSON or YAML CloudFormation/SAM template into plain Python objects."""
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".json":
        return json.loads(text)
    try:
        from cfnlint.decode import cfn_yaml  # handles every short-form tag, GetAtt A.B

        data = cfn_yaml.loads(text, str(path))
    except ImportError:  # pragma: no cover - cfn-lint absent
        from samtranslator.yaml_helper import yaml_parse

        data = yaml_parse(text)
    # cfn-lint returns dict/str subclasses carrying line marks: make them plain.
    return json.loads(json.dumps(data))


def _is_local(value: Any) -> bool:
    return isinstance(value, str) and not value.startswith("s3://")


def replace_local_uris(template: dict[str, Any]) -> list[str]:
    """Point local artifact paths at a placeholder bucket. Returns changed ids."""
    changed: list[str] = []
    glob_fn = template.get("Globals", {}).get("Function", {})
    if _is_local(glob_fn.get("CodeUri")):
        glob_fn["CodeUri"] = f"s3://{PLACEHOLDER_BUCKET}/globals-function.zip"
        changed.append("Globals.Function")
    for logical_id, res in template.get("Resources", {}).items():
        if not isinstance(res, dict):
            continue
        prop = _LOCAL_URI_PROPS.get(res.get("Type", ""))
        props = res.get("Properties")
        if not prop or not isinstance(props, dict):
            continue
        if prop == "CodeUri" and (props.get("InlineCode") is not None or props.get("PackageType") == "Image"):
            continue
        if _is_local(props.get(prop)):
            ext = "zip" if prop in ("CodeUri", "ContentUri") else "json"
            props[prop] = f"s3://{PLACEHOLDER_BUCKET}/{logical_id}.{ext}"
            changed.append(logical_id)
    return changed


class OfflineManagedPolicyLoader:
    """Stand-in for samtranslator's ManagedPolicyLoader that never calls IAM."""

    def __init__(self) -> None:
        self.called = False

    def load(self) -> dict[str, str]:
        self.called = True
        return {}


def transform(
    template: dict[str, Any],
    region: str,
    account_id: str,
    parameter_values: dict[str, Any],
    passthrough_metadata: bool = True,
) -> tuple[dict[str, Any], bool]:
    import boto3
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator

    session = boto3.session.Session(
        region_name=region,
        aws_access_key_id="offline",
        aws_secret_access_key="offline",  # noqa: S106 - dummy, never sent anywhere
    )
    params = {"AWS::AccountId": account_id, **parameter_values}
    loader = OfflineManagedPolicyLoader()
    translator = Translator(None, Parser(), boto_session=session)
    output = translator.translate(
        template,
        parameter_values=params,
        passthrough_metadata=passthrough_metadata,
        get_managed_policy_map=loader.load,
    )
    return output, loader.called


SKIPS_KEY = "ClinicCheckovSkips"


class SkipError(ValueError):
    """A checkov suppression that is malformed, has no reason, or suppresses nothing."""


def apply_checkov_skips(source: dict[str, Any], output: dict[str, Any]) -> dict[str, list[str]]:
    """Copy the template-level checkov suppressions onto the transformed resources they name.

    Returns, for each transformed resource that got suppressions, the check ids applied. Raises
    SkipError for an entry without an id or a written reason, or a pattern matching no resource.
    """
    skips = (source.get("Metadata") or {}).get(SKIPS_KEY) or {}
    resources = output.get("Resources", {})
    applied: dict[str, list[str]] = {}
    for pattern, entries in skips.items():
        if not isinstance(entries, list) or not entries:
            raise SkipError(f"{SKIPS_KEY}.{pattern}: a list of {{id, comment}} entries is required")
        for entry in entries:
            if not isinstance(entry, dict) or not str(entry.get("id", "")).startswith("CKV"):
                raise SkipError(f"{SKIPS_KEY}.{pattern}: every entry needs a checkov id")
            if not str(entry.get("comment", "")).strip():
                raise SkipError(f"{SKIPS_KEY}.{pattern}: {entry['id']} has no written reason")
        matched = [lid for lid in resources if fnmatch.fnmatchcase(lid, pattern)]
        if not matched:
            raise SkipError(f"{SKIPS_KEY}.{pattern}: matches no resource of the transformed template")
        for logical_id in matched:
            metadata = resources[logical_id].setdefault("Metadata", {})
            skip_list = metadata.setdefault("checkov", {}).setdefault("skip", [])
            for entry in entries:
                if all(existing.get("id") != entry["id"] for existing in skip_list):
                    skip_list.append({"id": entry["id"], "comment": entry["comment"].strip()})
                    applied.setdefault(logical_id, []).append(entry["id"])
    return applied


def parse_overrides(items: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"bad --parameter-overrides entry (want Key=Value): {item!r}")
        out[key] = value
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("template", type=Path)
    ap.add_argument("output", type=Path)
    ap.add_argument("--region", default=FAKE_REGION)
    ap.add_argument("--account-id", default=FAKE_ACCOUNT_ID)
    ap.add_argument("--parameter-overrides", nargs="*", default=[], metavar="KEY=VALUE")
    ap.add_argument("--allow-unknown-policies", action="store_true")
    ap.add_argument(
        "--no-passthrough-metadata",
        dest="passthrough_metadata",
        action="store_false",
        help="do not copy a SAM resource's Metadata (e.g. checkov skips) onto every "
        "resource generated from it (Role, Permission, Stage, Deployment, ...)",
    )
    args = ap.parse_args(argv)

    # Belt and braces: nothing below should look for real credentials or IMDS.
    os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")

    from samtranslator.model.exceptions import InvalidDocumentException

    template = load_template(args.template)
    source = json.loads(json.dumps(template))  # the translator may modify its input
    replace_local_uris(template)
    try:
        output, unknown_policy = transform(
            template,
            args.region,
            args.account_id,
            parse_overrides(args.parameter_overrides),
            args.passthrough_metadata,
        )
    except InvalidDocumentException as exc:
        print(f"{args.template}: {exc.message}", file=sys.stderr)
        for cause in exc.causes:
            print(f"  - {cause.message}", file=sys.stderr)
        return 1

    try:
        apply_checkov_skips(source, output)
    except SkipError as exc:
        print(f"{args.template}: {exc}", file=sys.stderr)
        return 1

    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(output, indent=2) + "\n", encoding="utf-8")
    if unknown_policy and not args.allow_unknown_policies:
        print(
            "error: a Policies entry names a managed policy unknown to aws-sam-translator's "
            "bundled map (IAM lookup is disabled offline); use its full ARN",
            file=sys.stderr,
        )
        return 2
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
