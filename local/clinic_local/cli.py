"""``clinic-local``: run the stack locally and talk to it.

  clinic-local dev [--port 3000] [--ws-port 3001] [--moto-port 5000]
                                                      start everything (what `make dev` runs)
  clinic-local token EMAIL                            print an ID token for a demo account
  clinic-local ingest FILE.jsonl [--via queue]        send readings (one JSON object a line) to ingest
  clinic-local ingest --format fhir BUNDLE.json       send a lab's FHIR R4 Bundle (subjects by MRN) to ingest
  clinic-local simulate --users N --rate R --seconds S
                                                      stream realistic sensor and lab readings to ingest
  clinic-local rollup [--day YYYY-MM-DD]              run the nightly rollups (a night's backfill with --day)
  clinic-local reminders [--at ISO-TIME]              run one appointment-reminder sweep (at that instant);
                                                      the emails are listed at /local/outbox
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import signal
import sys
import threading
import time
import uuid
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clinic_local import stack as local_stack
from clinic_local.endpoint import EndpointWatch
from clinic_local.errors import error_body

if TYPE_CHECKING:
    from clinic_local.cognito_api import CognitoApi

STARTING_ENVIRONMENT = dict(os.environ)  # before provisioning adds the stack's variables

DEFAULT_HOST = "127.0.0.1"
EMAIL_LINK_COMPLETE = "/local/auth/email-link/complete"
# The demo dashboard's sign-in picker: the demo accounts, and a token for one (what `make token` does).
DEMO_ACCOUNTS = "/local/auth/demo-accounts"
DEMO_SIGN_IN = "/local/auth/demo-sign-in"
# One appointment-reminder sweep, run inside the runner so its emails reach the runner's outbox.
REMINDER_SWEEP = "/local/reminders/sweep"


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def start(
    host: str, port: int, moto_port: int, state_file: Path, *, quiet: bool = False, ws_port: int = 3001,
    on_emptied: Callable[[], None] = lambda: None,
) -> tuple[local_stack.LocalStack, list[Any]]:
    """Start (or attach to) the AWS endpoint, provision, seed and serve. Returns the stack and
    the things to stop, in order. ``on_emptied``: called once if the endpoint is found restarted
    empty (``clinic_local.endpoint``)."""
    from clinic_local.motoserver import AtomicMotoServer

    stoppers: list[Any] = []
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if not endpoint:
        moto = AtomicMotoServer(ip_address=host, port=moto_port, verbose=False)
        moto.start()
        stoppers.append(moto.stop)
        endpoint = f"http://{host}:{moto_port}"
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    stack = local_stack.provision(endpoint)
    from clinic_local import live

    # The WebSocket's management endpoint first: the fan-out function's environment names it.
    connections = live.Connections()
    management = live.serve_management(host, connections)
    stoppers.insert(0, management.shutdown)
    stack.live = {"url": f"ws://{host}:{ws_port}/", "management": f"http://{host}:{management.server_address[1]}"}
    os.environ.update(stack.environment())
    # Sign-in links open the page this runner serves (deployed: EmailLinkRedirectUrl).
    page_host = "127.0.0.1" if host == "0.0.0.0" else host  # noqa: S104 - a comparison, not a bind
    os.environ["EMAIL_LINK_URL"] = f"http://{page_host}:{port}/app/"
    os.environ["DASHBOARD_URL"] = f"http://{page_host}:{port}/app/"  # what reminders link to

    # Import after the environment is set: settings are parsed once per process.
    from clinic_local import gateway, seed, webapp
    from clinic_local.authorizer import CognitoAuthorizer
    from clinic_tools import openapi

    seed.seed(lambda email, name, role: local_stack.create_account(stack, email, name, role))
    _backfill()
    authorizer = CognitoAuthorizer(endpoint, stack.user_pool_id, stack.issuer, set(stack.client_ids.values()))
    # The user pool's own API, as the page calls it in AWS (config.json's cognitoEndpoint).
    from clinic_local.cognito_api import PATH as COGNITO_PATH
    from clinic_local.cognito_api import CognitoApi

    cognito = CognitoApi(stack)
    local_posts = {EMAIL_LINK_COMPLETE: lambda body: _complete_email_link(stack, body),
                   DEMO_SIGN_IN: lambda body: _demo_sign_in(stack, cognito, body),
                   REMINDER_SWEEP: _sweep_reminders}
    # The OpenAPI document the code generates (docs/openapi.json is its committed copy), no auth.
    extra = {"/openapi.json": lambda: (200, openapi.render().encode()),
             DEMO_ACCOUNTS: lambda: (200, _demo_accounts(stack))}
    # The dashboard at /app/, told where the live socket is.
    web = webapp.WebApp(webapp.DIST, stack.live["url"], stack.client_id)
    # The user pool's hosted UI for Google, with a local stand-in for Google's consent page.
    from clinic_local import outbox
    from clinic_local.hosted_ui import HostedUi

    services = {COGNITO_PATH: cognito.handle, **HostedUi(stack, cognito).services(), outbox.PATH: outbox.page}
    api = gateway.Gateway(authorizer, extra_routes=extra, local_posts=local_posts, web=web, services=services)
    server = gateway.serve(api, host, port)
    stoppers.insert(0, server.shutdown)
    # Live updates: the WebSocket API, and the streams (from now on: not the seed) to the fan-out.
    websocket = live.serve_websocket(host, ws_port, connections, api.invoke)
    stoppers.insert(0, websocket.shutdown)
    ddb, streams = (local_stack.client(s, endpoint, stack.region) for s in ("dynamodb", "dynamodbstreams"))
    watch = EndpointWatch(ddb, endpoint, stack.tables["UsersTable"], on_emptied)
    poller = live.StreamPoller(ddb, streams, stack.tables, stack.region, api.invoke, watch=watch).start()
    stoppers.insert(0, poller.stop)
    # Written once the API answers: its presence is what `token` and the tests wait for.
    stack.api_url = f"http://{page_host}:{port}"
    stack.save(state_file)
    stoppers.insert(0, lambda: state_file.unlink(missing_ok=True))
    if not quiet:
        _banner(stack, host, port, endpoint)
    return stack, stoppers


def _complete_email_link(stack: local_stack.LocalStack, body: bytes | None) -> tuple[int, bytes]:
    """POST /local/auth/email-link/complete {"email", "token"}: what the dashboard does with a
    sign-in link (Cognito's triggers, driven locally), answering with the tokens."""
    from clinic_local import sign_in

    try:
        request = json.loads(body or b"{}")
        email, token = request["email"], request["token"]
    except (ValueError, KeyError, TypeError):
        return 400, error_body("validation_error", 'send {"email": ..., "token": ...}')
    try:
        tokens = sign_in.complete_email_link(stack, email, token)
    except sign_in.LinkRefused as refused:
        return 401, error_body("unauthorized", str(refused))
    return 200, json.dumps(tokens).encode()


def _demo_accounts(stack: local_stack.LocalStack) -> bytes:
    """The seeded demo accounts the dashboard offers (never their passwords)."""
    return json.dumps({"accounts": [{"email": a["email"], "name": a["name"], "role": a["role"]}
                                    for a in stack.accounts]}).encode()


def _demo_sign_in(stack: local_stack.LocalStack, cognito: CognitoApi, body: bytes | None) -> tuple[int, bytes]:
    """POST /local/auth/demo-sign-in {"email"}: a demo account's tokens, as a sign-in through the
    user pool gives them (the refresh token too, so the page's session refreshes and signs out as
    any other). Only the runner has it: a deployed API has no such route."""
    from clinic_local import sign_in

    try:
        email = json.loads(body or b"{}")["email"]
    except (ValueError, KeyError, TypeError):
        return 400, error_body("validation_error", 'send {"email": ...}')
    account = next((a for a in stack.accounts if isinstance(email, str) and a["email"].lower() == email.lower()), None)
    if account is None:
        return 404, error_body("not_found", "no demo account with that email")
    tokens = sign_in.issue_tokens(stack, account["email"])
    cognito.remember(tokens["refreshToken"], stack.client_id, tokens["accessToken"])  # refreshable, revocable
    return 200, json.dumps(tokens).encode()


def _sweep_reminders(body: bytes | None) -> tuple[int, bytes]:
    """POST /local/reminders/sweep {"at": ISO time with offset}: the reminder function, invoked as
    its schedule invokes it with that scheduled time (the schedule itself is AWS's)."""
    from clinic.models.reminders import SweepRequest
    from clinic_local.gateway import LambdaContext
    from clinic_tools import handlers

    try:
        at = json.loads(body or b"{}").get("at")
        if at is not None and not isinstance(at, str):
            raise TypeError
    except (ValueError, TypeError, AttributeError):
        return 400, error_body("validation_error", 'send {"at": "<ISO time with offset>"} or {}')
    event = {"scheduledTime": at} if at else {}
    try:
        SweepRequest.model_validate(event)
    except ValueError:
        return 400, error_body("validation_error", "at: an ISO 8601 time with its offset, e.g. 2026-12-07T22:00:00Z")
    function = "SendAppointmentRemindersFunction"
    report = handlers.load_handler(function)(event, LambdaContext(function))
    return 200, json.dumps(report).encode()


def _banner(stack: local_stack.LocalStack, host: str, port: int, endpoint: str) -> None:
    base = f"http://{host}:{port}"
    print(f"\nclinic-local is up\n  API          {base}")
    print(f"  WebSocket    {stack.live['url']}?token=<ID token>  (live updates)")
    print(f"  AWS endpoint {endpoint} (DynamoDB, Cognito, SQS)")
    print(f"  user pool    {stack.user_pool_id}\n  tables       {', '.join(sorted(stack.tables.values()))}")
    print(f"  queues       {', '.join(sorted(q['name'] for q in stack.queues.values()))}")
    print("\nDemo accounts:")
    for account in stack.accounts:
        print(f"  {account['role']:<8} {account['email']}")
    example = stack.accounts[0]["email"]
    print("\nTry it (another terminal):")
    print(f"  TOKEN=$(make -s token EMAIL={example})")
    print(f'  curl -s -H "Authorization: Bearer $TOKEN" {base}/biomarkers/stats')
    print(f'  curl -s -H "Authorization: Bearer $TOKEN" "{base}/appointments?type=lab&when=past&limit=5"')
    print(f"\nDashboard: {base}/app/  (an email link, Google's local stand-in, or a demo account: local only)")
    print(f"  sign-in emails: printed here and listed at {base}/local/outbox")
    print(f"  user pool API: {base}/cognito-idp/  hosted UI: {base}/oauth2/authorize  (as Cognito's)")
    admin = next((a for a in stack.accounts if a.get("totpSecret")), None)
    if admin:
        print(f"  staff sign in with a code: add {admin['email']}'s key from the state file to an authenticator app")
    print("\nSign in by email link (the link is printed here instead of emailed):")
    print(f"  curl -s -X POST -H 'Content-Type: application/json' {base}/auth/email-link \\")
    print(f"""      -d '{{"email": "{example}"}}'""")
    print(f"  curl -s -X POST {base}{EMAIL_LINK_COMPLETE} \\")
    print(f"""      -d '{{"email": "{example}", "token": "<token= in the link>"}}'""")
    print("  .venv/bin/clinic-local simulate --users 3 --rate 50 --seconds 10   # then ask for the stats again")
    print("\nCtrl-C stops everything.\n", flush=True)


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def wait_for_stop(poll_s: float = 0.2, until: threading.Event | None = None) -> int:
    """Block until Ctrl-C or SIGTERM (the signal's number) or until ``until`` is set (0).

    SIGINT is handled explicitly: a process started in the background (a test fixture, `&` in a
    script) may inherit it as ignored, and would then never stop on it. The main thread polls
    instead of blocking on a lock: the kernel hands a process's signal to any of its threads, and
    when that is one of the servers' threads, a main thread blocked in a lock never runs the
    handler (the runner then hung on Ctrl-C). The handler only appends to a list: taking a lock
    in a signal handler can deadlock with the interrupted main thread."""
    received: list[int] = []
    for number in STOP_SIGNALS:
        signal.signal(number, lambda signum, _frame: received.append(signum))
    while not received:
        if until is not None and until.is_set():
            return 0
        time.sleep(poll_s)
    return received[0]


def cmd_dev(args: argparse.Namespace) -> int:
    emptied = threading.Event()
    _, stoppers = start(args.host, args.port, args.moto_port, args.state_file, ws_port=args.ws_port,
                        on_emptied=emptied.set)
    signum = wait_for_stop(until=emptied)
    print("\nstopping...", flush=True)
    for stop in stoppers:
        stop()
    if not signum:
        # The endpoint was restarted empty: start over in a fresh process, with the environment
        # the runner was started with (provisioning rewrites it), as `make dev` would.
        print("restarting to provision and seed the endpoint again...", flush=True)
        os.execve(sys.executable, sys.orig_argv, STARTING_ENVIRONMENT)  # noqa: S606 - its own command line
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
    os.environ.update(stack.environment())  # the pre-token-generation trigger runs in this process
    from clinic_local import sign_in

    try:
        with contextlib.redirect_stdout(io.StringIO()):  # its metrics: stdout carries only the token
            token = sign_in.with_role_claim(stack, local_stack.id_token(stack, account["email"], account["password"]))
        print(token)
    except Exception as exc:  # noqa: BLE001 - a CLI explains and exits
        print(f"could not get a token ({type(exc).__name__}); is `make dev` still running?", file=sys.stderr)
        return 1
    return 0


def _running_stack(state_file: Path) -> local_stack.LocalStack | None:
    if not state_file.exists():
        print("no local stack is running: start it with `make dev`", file=sys.stderr)
        return None
    from clinic_local import ingest

    stack = local_stack.LocalStack.load(state_file)
    if not stack.queues:
        print("the running stack has no queues (started by an older runner): restart `make dev`", file=sys.stderr)
        return None
    ingest.attach(stack)
    # The handler runs in this process: keep its per-invocation log lines and metrics off the terminal.
    os.environ.update({"POWERTOOLS_LOG_LEVEL": "WARNING", "POWERTOOLS_METRICS_DISABLED": "true"})
    return stack


def _send(stack: local_stack.LocalStack, readings: list[Any], via: str, tally: Any) -> Any:
    from clinic_local import ingest

    if via == "invoke":
        return ingest.invoke(readings, tally)
    tally.sent += ingest.send_to_queue(stack, readings)
    return ingest.drain(stack, tally)


def cmd_ingest(args: argparse.Namespace) -> int:
    stack = _running_stack(args.state_file)
    if stack is None:
        return 2
    from clinic_local import ingest

    if args.format == "fhir":
        return _ingest_bundle(stack, args)
    readings, unreadable = [], []
    with args.file.open() as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                readings.append(json.loads(line))
            except ValueError:
                unreadable.append(number)
    for number in unreadable:
        print(f"line {number}: not JSON, skipped", file=sys.stderr)
    tally = _send(stack, readings, args.via, ingest.Tally())
    print(tally.line())
    for position, reason in tally.reasons[:20]:
        print(f"  reading {position + 1}: {reason}")
    if len(tally.reasons) > 20:
        print(f"  ... and {len(tally.reasons) - 20} more")
    return 0 if not unreadable and not tally.outcomes["failed"] and not tally.messages_failed else 1


def _ingest_bundle(stack: local_stack.LocalStack, args: argparse.Namespace) -> int:
    from clinic_local import ingest

    try:
        bundle = json.loads(args.file.read_text())
    except ValueError:
        print(f"{args.file}: not JSON", file=sys.stderr)
        return 1
    if args.via == "queue":
        tally = ingest.Tally(sent=ingest.send_to_queue(stack, [bundle]))
        tally = ingest.drain(stack, tally)
    else:
        try:
            tally = ingest.invoke_bundle(bundle)
        except ValueError as error:
            print(f"{args.file}: {error}", file=sys.stderr)
            return 1
    print(tally.line())
    for position, reason in tally.reasons[:20]:
        print(f"  entry {position}: {reason}")
    return 0 if not tally.outcomes["failed"] and not tally.messages_failed else 1


def _backfill() -> None:
    """What `clinic-admin deploy` runs after updating a stack (clinic_ops.backfill), in process:
    users an earlier runner wrote to the endpoint get staff search's name look-ups."""
    from clinic.services import name_backfill

    progress = name_backfill.run()
    while not progress.done:
        progress = name_backfill.run(progress.after)


def _simulated_users(stack: local_stack.LocalStack, count: int) -> list[str]:
    """The demo patients first (their dashboards come alive), then simulated patients."""
    from clinic.repositories import users_table

    chosen = [a["userId"] for a in stack.accounts if a["role"] == "patient"][:count]
    for i in range(count - len(chosen)):
        user_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"clinic-local/simulated-patient/{i}"))
        users_table.put({"userId": user_id, "email": f"simulated.patient.{i}@demo.clinic.test",
                   "name": f"Simulated Patient {i}", "role": "patient", "createdAt": int(time.time() * 1000)})
        chosen.append(user_id)
    return chosen


def cmd_simulate(args: argparse.Namespace) -> int:
    stack = _running_stack(args.state_file)
    if stack is None:
        return 2
    from clinic_local import ingest
    from clinic_local.simulate import Simulator

    user_ids = _simulated_users(stack, args.users)
    started = time.monotonic()
    simulator = Simulator(user_ids, args.rate, args.seconds, int(time.time() * 1000), seed=args.seed)
    total = ingest.Tally()
    for second, batch in enumerate(simulator.ticks()):
        tally = _send(stack, batch, args.via, ingest.Tally())
        total.add(tally)
        print(f"  {second + 1:>4} s  {tally.line()}", flush=True)
        time.sleep(max(0.0, started + second + 1 - time.monotonic()))
    elapsed = time.monotonic() - started
    print(f"{len(user_ids)} patients, {elapsed:.1f} s, {total.sent / elapsed:.0f} readings/s: {total.line()}")
    return 0 if not total.outcomes["failed"] and not total.messages_failed else 1


def cmd_rollup(args: argparse.Namespace) -> int:
    """The nightly job against the running stack: planner, then worker batches from the queue."""
    if not args.state_file.exists():
        print("no local stack is running: start it with `make dev`", file=sys.stderr)
        return 2
    stack = local_stack.LocalStack.load(args.state_file)
    if "RollupWorkQueue" not in stack.queues:
        print("the running stack has no rollup queue: restart `make dev`", file=sys.stderr)
        return 2
    os.environ.update(stack.environment())
    # Import after the environment is set: settings are parsed once per process.
    from clinic_local import rollup
    from clinic_local.gateway import LambdaContext
    from clinic_tools import handlers

    def invoke(logical_id: str, event: dict[str, Any]) -> dict[str, Any]:
        return dict(handlers.load_handler(logical_id)(event, LambdaContext(logical_id)))

    event = {"day": args.day} if args.day else {}
    sqs = local_stack.client("sqs", stack.endpoint, stack.region)
    report = rollup.run(event, sqs, stack.queues["RollupWorkQueue"]["url"], invoke)
    print(json.dumps({**report.planned, "workerInvocations": report.invocations,
                      "failedAttempts": len(report.failed_batches)}))
    return 1 if report.failed_batches else 0


def cmd_reminders(args: argparse.Namespace) -> int:
    """One reminder sweep in the running runner (so its emails are on its console and outbox)."""
    if not args.state_file.exists():
        print("no local stack is running: start it with `make dev`", file=sys.stderr)
        return 2
    stack = local_stack.LocalStack.load(args.state_file)
    if not stack.api_url:
        print("the running stack does not say where its API is: restart `make dev`", file=sys.stderr)
        return 2
    import urllib.error
    import urllib.request

    request = urllib.request.Request(stack.api_url + REMINDER_SWEEP, method="POST",  # noqa: S310 - the runner's http URL
                                     data=json.dumps({"at": args.at} if args.at else {}).encode(),
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=300) as answer:  # noqa: S310 - the runner's http URL
            report = json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        print(refused.read().decode(errors="replace").strip(), file=sys.stderr)
        return 1
    print(json.dumps(report))
    return 1 if report.get("failed") else 0


def _instant(text: str) -> str:
    from datetime import datetime

    try:
        if datetime.fromisoformat(text.replace("Z", "+00:00")).tzinfo is not None:
            return text
    except ValueError:
        pass
    raise argparse.ArgumentTypeError("expected an ISO 8601 time with its offset, e.g. 2026-12-07T22:00:00Z")


def cmd_audit_backfill(args: argparse.Namespace) -> int:
    """Give audit records from before ByDayShard their shard: against the running `make dev`
    stack, or with --table against a deployed table (ambient AWS credentials and region)."""
    if args.table is None:
        if not args.state_file.exists():
            print("no local stack is running: start it with `make dev`, or name a deployed table with --table",
                  file=sys.stderr)
            return 2
        os.environ.update(local_stack.LocalStack.load(args.state_file).environment())
    from clinic.repositories import audit_table

    total, position, pages = 0, None, 0
    while True:
        updated, position = audit_table.backfill_shards(limit=args.page, after=position, table=args.table)
        total, pages = total + updated, pages + 1
        if position is None:
            break
        if pages % 100 == 0:
            print(json.dumps({"updated": total, "resumeAfter": position}), flush=True)
    print(json.dumps({"updated": total, "done": True}))
    return 0


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
    dev.add_argument("--ws-port", type=int, default=_env_int("CLINIC_WS_PORT", 3001),
                     help="the live-updates WebSocket (ws://HOST:PORT/?token=<ID token>)")
    dev.set_defaults(func=cmd_dev)
    token = sub.add_parser("token", help="print an ID token for a demo account")
    token.add_argument("email")
    token.set_defaults(func=cmd_token)
    via = {"choices": ["invoke", "queue"], "default": "invoke",
           "help": "invoke the ingest function (default), or send to its queue and drain it as Lambda would"}
    ingest = sub.add_parser("ingest", help="send readings from a JSON-lines file to the ingest function")
    ingest.add_argument("file", type=Path, help="one reading a line: userId, name, value, unit, recordedAt, source, "
                                                 "sourceReadingId[, category, status]")
    ingest.add_argument("--via", **via)
    ingest.add_argument("--format", choices=["readings", "fhir"], default="readings",
                        help="readings: JSON lines (default); fhir: one FHIR R4 Bundle of Observations and "
                             "DiagnosticReports in JSON, subjects identified by MRN")
    ingest.set_defaults(func=cmd_ingest)
    simulate = sub.add_parser("simulate", help="stream realistic readings (CGM, heart rate, lab panels) to ingest")
    simulate.add_argument("--users", type=int, default=3, help="patients (the demo patients first)")
    simulate.add_argument("--rate", type=float, default=50, help="readings per second")
    simulate.add_argument("--seconds", type=int, default=10)
    simulate.add_argument("--seed", type=int, default=0)
    simulate.add_argument("--via", **via)
    simulate.set_defaults(func=cmd_simulate)
    rollup = sub.add_parser("rollup", help="run the nightly rollups against the running stack")
    rollup.add_argument("--day", type=_day, help="backfill: re-run the night of this clinic-local day "
                        "(the days whose readings arrived that day); default: the scheduled run")
    rollup.set_defaults(func=cmd_rollup)
    reminders = sub.add_parser("reminders", help="run one appointment-reminder sweep in the running stack "
                               "(emails on its console and at /local/outbox)")
    reminders.add_argument("--at", type=_instant, help="the sweep's instant (ISO 8601 with offset); default now")
    reminders.set_defaults(func=cmd_reminders)
    backfill = sub.add_parser("audit-backfill", help="give audit records from before the sharded day index "
                              "their shard (idempotent; run once after deploying it)")
    backfill.add_argument("--table", help="a deployed AuditTable's name (default: the running `make dev` stack)")
    backfill.add_argument("--page", type=int, default=100, help="records per Scan page")
    backfill.set_defaults(func=cmd_audit_backfill)
    return p


def main(argv: list[str] | None = None) -> int:
    # Powertools warns when an invocation emits no metric beyond cold start: expected here.
    warnings.filterwarnings("ignore", "No application metrics to publish")
    args = parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
