"""`clinic-admin`: operating a deployed stack, profiles from samconfig.toml (`--config-env`).

    clinic-admin deploy    [--config-env dev]   sam deploy, the data backfills, then publish (`make deploy`)
    clinic-admin backfill  [--config-env dev] [--again]   the data backfills alone
    clinic-admin publish   [--config-env dev]   the page and config.json (`make publish`)
    clinic-admin bootstrap --email ADDRESS [--config-env dev] [--allow-existing]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

import botocore.session
from botocore.config import Config

from clinic_local import webapp
from clinic_ops import backfill, stack
from clinic_ops.bootstrap import Refused, bootstrap
from clinic_ops.deploy import deploy
from clinic_ops.publish import Target, publish

# The function whose environment names everything a role change touches (pool, tables, key).
ROLE_FUNCTION = "SetUserRoleFunction"


def client(service: str, region: str) -> Any:
    return botocore.session.get_session().create_client(service, region_name=region)


def stack_environment(profile: stack.Profile) -> None:
    """Run the role change in this process as SetUserRoleFunction runs it: its environment
    variables (table names, pool id, cursor secret), read from Lambda, in this process."""
    cloudformation = client("cloudformation", profile.region)
    name = stack.physical_ids(cloudformation, profile.stack_name, ROLE_FUNCTION)[ROLE_FUNCTION]
    config = client("lambda", profile.region).get_function_configuration(FunctionName=name)
    os.environ.update(config["Environment"]["Variables"])
    os.environ["AWS_REGION"] = os.environ["AWS_DEFAULT_REGION"] = profile.region


def run_backfills(profile: stack.Profile, *, again: bool = False) -> int:
    """What the release's data needs, in the stack's own functions (clinic_ops.backfill)."""
    name = stack.physical_ids(client("cloudformation", profile.region), profile.stack_name,
                              backfill.NAME_INDEX_FUNCTION)[backfill.NAME_INDEX_FUNCTION]
    # An invocation works for up to 20 s of the function's 60: wait for its answer.
    lam = botocore.session.get_session().create_client(
        "lambda", region_name=profile.region, config=Config(read_timeout=90, retries={"mode": "standard"}))
    try:
        backfill.index_patient_names(backfill.lambda_invoker(lam, name), again=again)
    except backfill.BackfillFailed as failed:
        print(f"backfill: {failed}", file=sys.stderr)
        return 4
    return 0


def run_publish(profile: stack.Profile, dist: Path) -> int:
    outputs = stack.outputs(client("cloudformation", profile.region), profile.stack_name)
    target = Target.from_outputs(outputs)
    done = publish(client("s3", profile.region), client("cloudfront", profile.region), target, dist)
    invalidated = ", ".join(done.invalidated) or "nothing"
    print(f"uploaded {len(done.uploaded)}, unchanged {len(done.unchanged)}, invalidated {invalidated}")
    print(f"Dashboard: {outputs['DashboardUrl']}")
    return 0


def run_bootstrap(profile: stack.Profile, email: str, allow_existing: bool) -> int:
    stack_environment(profile)
    operator = client("sts", profile.region).get_caller_identity()["Arn"]
    pool_id = os.environ["USER_POOL_ID"]
    try:
        done = bootstrap(pool_id, email, operator=operator, allow_existing=allow_existing,
                         idp=client("cognito-idp", profile.region))
    except Refused as refused:
        print(f"refused: {refused}; run again with --allow-existing to add another admin", file=sys.stderr)
        return 3
    except ValueError as bad:
        print(f"refused: {bad}", file=sys.stderr)
        return 2
    how = "created (Cognito emails a temporary password)" if done.created else "promoted"
    print(f"admin {how}: user id {done.user_id}; the role change is in the audit log")
    print(f"MFA: {done.note}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="clinic-admin", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config-env", default="dev", help="samconfig.toml profile (dev, prod)")
    commands = parser.add_subparsers(dest="command", required=True)
    deploying = commands.add_parser("deploy", help="sam deploy the profile, then publish the page")
    deploying.add_argument("--sam", default="sam", help="the SAM CLI to run")
    deploying.add_argument("--dist", type=Path, default=webapp.DIST)
    filling = commands.add_parser("backfill", help="the data backfills of this release (deploy runs them)")
    filling.add_argument("--again", action="store_true", help="walk every user even if a walk finished before")
    publishing = commands.add_parser("publish", help="upload web/dist and config.json; invalidate what changed")
    publishing.add_argument("--dist", type=Path, default=webapp.DIST)
    first = commands.add_parser("bootstrap", help="create or promote the first admin")
    first.add_argument("--email", required=True)
    first.add_argument("--allow-existing", "--force", action="store_true",
                       help="add an admin although the pool has one")
    args = parser.parse_args(argv)
    profile = stack.profile(args.config_env)
    if args.command == "deploy":
        deploy(profile, [args.sam], client("cloudformation", profile.region))
        return run_backfills(profile) or run_publish(profile, args.dist)
    if args.command == "backfill":
        return run_backfills(profile, again=args.again)
    if args.command == "publish":
        return run_publish(profile, args.dist)
    return run_bootstrap(profile, args.email, args.allow_existing)


if __name__ == "__main__":
    sys.exit(main())
