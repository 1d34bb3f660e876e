"""``clinic-local``: run the stack locally and talk to it.

  clinic-local dev [--port 3000] [--moto-port 5000]   start everything (what `make dev` runs)
  clinic-local token EMAIL                            print an ID token for a demo account
  clinic-local rollup [--day YYYY-MM-DD]              run the nightly rollups (a night's backfill with --day)
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from clinic_local import stack as local_stack

DEFAULT_HOST = "127.0.0.1"


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def start(
    host: str, port: int, moto_port: int, state_file: Path, *, quiet: bool = False
) -> tuple[local_stack.LocalStack, list[Any]]:
    """Start (or attach to) the AWS endpoint, provision, seed and serve. Returns the stack and
    the things to stop, in order."""
    from moto.server import ThreadedMotoServer

    stoppers: list[Any] = []
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if not endpoint:
        moto = ThreadedMotoServer(ip_address=host, port=moto_port, verbose=False)
        moto.start()
        stoppers.append(moto.stop)
        endpoint = f"http://{host}:{moto_port}"
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    stack = local_stack.provision(endpoint)
    os.environ.update(stack.environment())

    # Import after the environment is set: settings are parsed once per process.
    from clinic_local import gateway, seed
    from clinic_local.authorizer import CognitoAuthorizer

    seed.seed(lambda email, name, role: local_stack.create_account(stack, email, name, role))
    authorizer = CognitoAuthorizer(endpoint, stack.user_pool_id, stack.issuer, set(stack.client_ids.values()))
    server = gateway.serve(gateway.Gateway(authorizer), host, port)
    stoppers.insert(0, server.shutdown)
    # Written once the API answers: its presence is what `token` and the tests wait for.
    stack.save(state_file)
    stoppers.insert(0, lambda: state_file.unlink(missing_ok=True))
    if not quiet:
        _banner(stack, host, port, endpoint)
    return stack, stoppers


def _banner(stack: local_stack.LocalStack, host: str, port: int, endpoint: str) -> None:
    base = f"http://{host}:{port}"
    print(f"\nclinic-local is up\n  API          {base}\n  AWS endpoint {endpoint} (DynamoDB, Cognito)")
    print(f"  user pool    {stack.user_pool_id}\n  tables       {', '.join(sorted(stack.tables.values()))}")
    print("\nDemo accounts:")
    for account in stack.accounts:
        print(f"  {account['role']:<8} {account['email']}")
    example = stack.accounts[0]["email"]
    print("\nTry it (another terminal):")
    print(f"  TOKEN=$(make -s token EMAIL={example})")
    print(f'  curl -s -H "Authorization: Bearer $TOKEN" {base}/biomarkers/stats')
    print(f'  curl -s -H "Authorization: Bearer $TOKEN" "{base}/appointments?type=lab&when=past&limit=5"')
    print("\nCtrl-C stops everything.\n", flush=True)


def cmd_dev(args: argparse.Namespace) -> int:
    _, stoppers = start(args.host, args.port, args.moto_port, args.state_file)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    with contextlib.suppress(KeyboardInterrupt):
        done.wait()
    print("\nstopping...", flush=True)
    for stop in stoppers:
        stop()
    print("stopped.", flush=True)
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    if not args.state_file.exists():
        print("no local stack is running: start it with `make dev`", file=sys.stderr)
        return 2
    stack = local_stack.LocalStack.load(args.state_file)
    account = next((a for a in stack.accounts if a["email"].lower() == args.email.lower()), None)
    if account is None:
        known = ", ".join(a["email"] for a in stack.accounts)
        print(f"no demo account with that email; known: {known}", file=sys.stderr)
        return 2
    try:
        print(local_stack.id_token(stack, account["email"], account["password"]))
    except Exception as exc:  # noqa: BLE001 - a CLI explains and exits
        print(f"could not get a token ({type(exc).__name__}); is `make dev` still running?", file=sys.stderr)
        return 1
    return 0


def cmd_rollup(args: argparse.Namespace) -> int:
    """The nightly job against the running stack: planner, then worker batches from the queue."""
    if not args.state_file.exists():
        print("no local stack is running: start it with `make dev`", file=sys.stderr)
        return 2
    stack = local_stack.LocalStack.load(args.state_file)
    if "RollupWorkQueue" not in stack.queues:
        print("the running stack has no rollup queue: restart `make dev`", file=sys.stderr)
        return 2
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")  # the local endpoint takes any credentials
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    os.environ.update(stack.environment())
    # Import after the environment is set: settings are parsed once per process.
    import json

    from clinic_local import rollup, template
    from clinic_local.gateway import LambdaContext

    def invoke(logical_id: str, event: dict[str, Any]) -> dict[str, Any]:
        return dict(template.load_handler(logical_id)(event, LambdaContext(logical_id)))

    event = {"day": args.day} if args.day else {}
    sqs = local_stack.client("sqs", stack.endpoint, stack.region)
    report = rollup.run(event, sqs, stack.queues["RollupWorkQueue"], invoke)
    print(json.dumps({**report.planned, "workerInvocations": report.invocations,
                      "failedAttempts": len(report.failed_batches)}))
    return 1 if report.failed_batches else 0


def _day(text: str) -> str:
    from datetime import date

    try:
        if len(text) == 10:
            return date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    raise argparse.ArgumentTypeError("expected a day as YYYY-MM-DD")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="clinic-local", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    state_file = Path(os.environ.get("CLINIC_STATE_FILE", local_stack.STATE_FILE))
    p.add_argument("--state-file", type=Path, default=state_file,
                   help="where `dev` records the running stack (endpoints, demo accounts) for the other commands")
    sub = p.add_subparsers(dest="command", required=True)
    dev = sub.add_parser("dev", help="start moto, provision from template.yaml, seed, serve the API")
    dev.add_argument("--host", default=os.environ.get("CLINIC_HOST", DEFAULT_HOST))
    dev.add_argument("--port", type=int, default=_env_int("CLINIC_API_PORT", 3000))
    dev.add_argument("--moto-port", type=int, default=_env_int("CLINIC_MOTO_PORT", 5000))
    dev.set_defaults(func=cmd_dev)
    token = sub.add_parser("token", help="print an ID token for a demo account")
    token.add_argument("email")
    token.set_defaults(func=cmd_token)
    rollup = sub.add_parser("rollup", help="run the nightly rollups against the running stack")
    rollup.add_argument("--day", type=_day, help="backfill: re-run the night of this clinic-local day "
                        "(the days whose readings arrived that day); default: the scheduled run")
    rollup.set_defaults(func=cmd_rollup)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
