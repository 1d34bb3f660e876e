"""The capacity and cost model: a workload (capacity/workload.yaml) times the measured unit costs
(capacity/unit_costs.json) gives requests per second per function, Lambda concurrency, DynamoDB
units per table, index and partition, the AWS quotas they meet, and a monthly bill from the
checked-in prices (capacity/prices.yaml). Pure arithmetic: no AWS, no network.

Peaks add up each operation's own peak (the patients' morning hour, the staff's busiest hour, the
sensors' flat day, the night's rollup window) as if they coincided: an upper bound.
"""

from __future__ import annotations

import copy
import json
import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).parent
DAYS_PER_MONTH = 30.4
PARTITION_READ_LIMIT = 3000.0  # read units a second per partition (DynamoDB's documented limit)
PARTITION_WRITE_LIMIT = 1000.0  # write units a second per partition


def load_yaml(name: str) -> Any:
    return yaml.safe_load((HERE / name).read_text())


def load_unit_costs() -> dict[str, Any]:
    operations: dict[str, Any] = json.loads((HERE / "unit_costs.json").read_text())["operations"]
    return operations


def workload(name: str, workloads: dict[str, Any] | None = None) -> dict[str, Any]:
    """The named workload, with the workload it says it is ``base``d on filled in underneath."""
    workloads = workloads or load_yaml("workload.yaml")["workloads"]
    own = copy.deepcopy(workloads[name])
    base = own.pop("base", None)
    return _merge(workload(base, workloads), own) if base else own


def _merge(under: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(under)
    for key, value in over.items():
        merged[key] = _merge(merged[key], value) if isinstance(value, dict) and isinstance(merged.get(key), dict) \
            else value
    return merged


# --- demand ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Demand:
    """How often one operation happens: ``per_day``, of which ``peak_share`` falls within the
    ``peak_window_s`` seconds of its busiest time."""

    operation: str
    per_day: float
    peak_share: float
    peak_window_s: float = 3600.0
    who: str = "patient"

    @property
    def peak_per_s(self) -> float:
        return self.per_day * self.peak_share / self.peak_window_s

    @property
    def average_per_s(self) -> float:
        return self.per_day / 86400


def staff_count(w: dict[str, Any]) -> int:
    return math.ceil(w["patients"] / w["staff"]["patients_per_staff"])


def sensor_wearers(w: dict[str, Any]) -> float:
    return float(w["patients"] * w["sensor"]["wearing_share"])


def demands(w: dict[str, Any]) -> list[Demand]:
    p, s, sensor, lab, live = w["patient"], w["staff"], w["sensor"], w["lab"], w["live"]
    active = w["patients"] * p["daily_active_share"]
    page_loads = active * p["page_loads_per_active_day"]
    peak = p["peak_hour_share"]
    out = [Demand(op, page_loads * n, peak) for op, n in p["calls_per_page_load"].items()]
    out += [Demand(op, active * n, peak) for op, n in p["actions_per_active_day"].items()]
    exports = w["patients"] * p["exports_per_patient_per_month"] / DAYS_PER_MONTH
    out.append(Demand("GET /me/export", exports * p["export_pages"], peak))
    out.append(Demand("sign-in (pre-token trigger)", active * p["sign_ins_per_active_day"], peak))
    out.append(Demand("token refresh (pre-token trigger)", active * p["token_refreshes_per_active_day"], peak))

    staff = staff_count(w)
    actions = staff * s["actions_per_day"]
    out += [Demand(op, actions * share, s["peak_hour_share"], who="staff") for op, share in s["action_mix"].items()]
    out.append(Demand("sign-in (pre-token trigger)", staff * s["sign_ins_per_day"], s["peak_hour_share"], who="staff"))
    out.append(Demand("token refresh (pre-token trigger)", staff * s["token_refreshes_per_day"], s["peak_hour_share"],
                      who="staff"))

    wearers = sensor_wearers(w)
    uploads = wearers * sensor["readings_per_hour"] * 24 / sensor["readings_per_upload"]
    upload_interval_s = 3600 / sensor["readings_per_hour"] * sensor["readings_per_upload"]
    out.append(Demand("sensor upload (3 readings, SQS)", uploads - wearers, sensor["peak_hour_share"], who="sensor"))
    # Each wearer's first upload after midnight also writes the night's marker: all within one
    # upload interval of midnight.
    out.append(Demand("sensor upload, the user's first today", wearers, 1.0, upload_interval_s, who="sensor"))
    panels = w["patients"] * lab["panels_per_patient_per_quarter"] / 91.25
    out.append(Demand("lab panel (5 results, invoke)", panels, lab["peak_hour_share"], who="lab"))

    sessions = page_loads * live["sessions_per_page_load"]
    out.append(Demand("live connect", sessions, peak))
    out.append(Demand("live disconnect", sessions, peak))
    # Every change of a summary, appointment or medication reaches the fan-out through the
    # streams; the few whose owner has the dashboard open also post a message.
    connected = sessions * live["changes_per_session"]
    out.append(Demand("live change fanned out (1 connection)", connected, peak))
    changes = [d for d in out if d.operation in STREAMED]
    for d in changes:
        out.append(Demand("stream record, owner not connected", d.per_day, d.peak_share, d.peak_window_s, d.who))

    rolled_up = wearers + panels
    out.append(Demand("nightly rollup, per user", rolled_up, 1.0, w["nightly"]["window_hours"] * 3600, who="night"))
    return out


# Operations that change a streamed table (BiomarkerSummary, Appointments, Medications) once each
# (a refill request and its decision write the medication's pending mark).
STREAMED = (
    "sensor upload (3 readings, SQS)", "sensor upload, the user's first today", "lab panel (5 results, invoke)",
    "POST /appointments", "PATCH /appointments/{id}", "POST /medications/{id}/refill-requests",
    "PATCH /admin/refill-requests/{id}",
    "POST /admin/patients/{userId}/appointments", "PATCH /admin/patients/{userId}/appointments/{id}",
    "POST /admin/patients/{userId}/medications", "PATCH /admin/patients/{userId}/medications/{id}",
    "POST /admin/patients/{userId}/biomarkers", "PATCH /admin/patients/{userId}/biomarkers/{id}",
)


def check_measured_shapes(w: dict[str, Any]) -> None:
    """The workload's batch shapes must be the ones measured."""
    if w["sensor"]["readings_per_upload"] != 3 or w["lab"]["readings_per_panel"] != 5:
        raise ValueError("unit costs are measured for uploads of 3 readings and panels of 5: measure the new "
                         "shape in capacity/measure.py first")


# --- the model -------------------------------------------------------------------------------


@dataclass
class FunctionLoad:
    peak_invocations_per_s: float = 0.0
    average_invocations_per_s: float = 0.0
    peak_requests_per_s: float = 0.0  # operations (API calls, uploads, ...) a second at peak
    average_requests_per_s: float = 0.0
    concurrency: float = 0.0  # at peak: invocations a second x seconds each
    invocations_per_day: float = 0.0
    gb_seconds_per_day: float = 0.0


@dataclass
class Model:
    name: str
    workload: dict[str, Any]
    demands: list[Demand]
    functions: dict[str, FunctionLoad]
    # (table, index or "") -> {"read"/"write": peak units a second}, and units per day
    capacity_peak: dict[tuple[str, str], dict[str, float]]
    capacity_per_day: dict[tuple[str, str], dict[str, float]]
    # (table, index, kind, partition) -> units in the busiest second on the hottest partition of
    # that class: a shared key takes all its operations' traffic (over its shards), a person's key
    # one request a second of the costliest operation on it
    partitions: dict[tuple[str, str, str, str], float]
    route_peaks: dict[tuple[str, str], float]  # (path, method) -> API calls a second at peak
    calls_peak: dict[str, float]  # "service:Operation" -> a second at peak
    calls_per_day: dict[str, float]
    items_per_day: dict[str, float]
    stored_per_day: dict[str, float]  # table -> bytes added a day
    api_peak_per_s: float = 0.0
    api_per_day: float = 0.0
    staff: int = 0
    marker_shards: int = 0  # RollupMarkers' shards for this workload (``marker_shards``)


def build(name: str, w: dict[str, Any] | None = None, unit_costs: dict[str, Any] | None = None) -> Model:
    w = w or workload(name)
    check_measured_shapes(w)
    costs = unit_costs or load_unit_costs()
    lam = w["lambda"]
    functions: dict[str, FunctionLoad] = defaultdict(FunctionLoad)
    cap_peak: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: {"read": 0.0, "write": 0.0})
    cap_day: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: {"read": 0.0, "write": 0.0})
    shared: dict[tuple[str, str, str, str], float] = defaultdict(float)  # busiest second, before any spread
    per_person: dict[tuple[str, str, str, str], float] = defaultdict(float)
    route_peaks: dict[tuple[str, str], float] = defaultdict(float)
    calls_peak: dict[str, float] = defaultdict(float)
    calls_day: dict[str, float] = defaultdict(float)
    items_day: dict[str, float] = defaultdict(float)
    stored_day: dict[str, float] = defaultdict(float)
    model_demands = demands(w)
    api_peak = api_day = 0.0
    for d in model_demands:
        unit = costs[d.operation]
        f = functions[unit["function"]]
        invocations = unit["invocations"]
        aws_calls = sum(unit["calls"].values())
        seconds = (invocations * lam["handler_ms"] + aws_calls * lam["aws_call_ms"]) / 1000  # per operation
        f.peak_invocations_per_s += d.peak_per_s * invocations
        f.average_invocations_per_s += d.average_per_s * invocations
        f.peak_requests_per_s += d.peak_per_s
        f.average_requests_per_s += d.average_per_s
        f.concurrency += d.peak_per_s * seconds
        f.invocations_per_day += d.per_day * invocations
        f.gb_seconds_per_day += d.per_day * seconds * lam["memory_mb"] / 1024
        if "route" in unit:
            method, path = unit["route"].split(" ", 1)
            route_peaks[(path, method)] += d.peak_per_s
            api_peak += d.peak_per_s
            api_day += d.per_day
        for call, n in unit["calls"].items():
            calls_peak[call] += d.peak_per_s * n
            calls_day[call] += d.per_day * n
        for kind, n in unit["dynamodb_items"].items():
            items_day[kind] += d.per_day * n
        for table, n in unit["stored_bytes"].items():
            stored_day[table] += d.per_day * n
        for u in unit["dynamodb_units"]:
            key = (u["table"], u["index"] or "")
            cap_peak[key][u["kind"]] += d.peak_per_s * u["units"]
            cap_day[key][u["kind"]] += d.per_day * u["units"]
            pkey = (u["table"], u["index"] or "", u["kind"], u["partition"])
            if u["partition"] == "user":
                per_person[pkey] = max(per_person[pkey], u["units"] * w["person_requests_per_s"])
            else:  # a partition throttles within the second: its busiest second counts
                shared[pkey] += d.peak_per_s * w["peak_second_factor"] * u["units"]
    shards = marker_shards(w, sum(units for (table, _, kind, _), units in shared.items()
                                  if table == MARKERS_TABLE and kind == "write"))
    # Spread by the index's own entry ("Table.Index"), else the table's; the markers by their shards.
    spreads = {**w.get("shared_partition_spread", {}), MARKERS_TABLE: shards}
    spread_of = {key: spreads.get(f"{key[0]}.{key[1]}", spreads.get(key[0], 1)) if key[1] else spreads.get(key[0], 1)
                 for key in shared}
    return Model(name, w, model_demands, dict(functions), dict(cap_peak), dict(cap_day),
                 {**per_person, **{key: units / spread_of[key] for key, units in shared.items()}},
                 dict(route_peaks), dict(calls_peak), dict(calls_day), dict(items_day),
                 dict(stored_day), api_peak, api_day, staff_count(w), shards)


MARKERS_TABLE = "RollupMarkersTable"


def marker_shards(w: dict[str, Any], busiest_second_wcu: float) -> int:
    """RollupMarkers' shard count (template parameter RollupMarkerShards): the markers' write units
    in their busiest second times ``headroom``, over one partition's limit, rounded up to 1/2/5 x
    10^n; never below ``rollup_markers.min_shards``."""
    needed = nice(busiest_second_wcu * w["headroom"] / PARTITION_WRITE_LIMIT)
    return max(int(w["rollup_markers"]["min_shards"]), needed)


def partition_limit(kind: str) -> float:
    return PARTITION_READ_LIMIT if kind == "read" else PARTITION_WRITE_LIMIT


def hottest_partitions(model: Model, top: int = 8) -> list[tuple[tuple[str, str, str, str], float, float]]:
    """(key, units a second, share of the partition limit), hottest first."""
    rows = [(key, units, units / partition_limit(key[2])) for key, units in model.partitions.items()]
    return sorted(rows, key=lambda r: -r[2])[:top]


# --- quotas ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quota:
    service: str
    name: str
    limit: float
    demand: float
    adjustable: bool = True

    @property
    def use(self) -> float:
        return self.demand / self.limit

    def must_raise(self, headroom: float) -> bool:
        return self.demand * headroom > self.limit


COGNITO_CATEGORIES = {
    # Cognito's per-category request rate quotas (operations a second, per account and region).
    "ListUsers": ("UserList", 30),
    "AdminListGroupsForUser": ("UserRead", 120),
    "AdminRemoveUserFromGroup": ("UserUpdate", 25),
    "AdminAddUserToGroup": ("UserUpdate", 25),
}


def quotas(model: Model) -> list[Quota]:
    w = model.workload
    p, s = w["patient"], w["staff"]
    active = w["patients"] * p["daily_active_share"]
    auth_peak = (active * (p["sign_ins_per_active_day"] + p["token_refreshes_per_active_day"]) * p["peak_hour_share"]
                 + model.staff * (s["sign_ins_per_day"] + s["token_refreshes_per_day"]) * s["peak_hour_share"]) / 3600
    concurrency = sum(f.concurrency for f in model.functions.values())
    connects = model.functions.get("LiveConnectFunction", FunctionLoad()).peak_invocations_per_s
    out = [
        Quota("Lambda", "Concurrent executions (account, region)", 1000, concurrency),
        Quota("API Gateway", "Throttle rate, REST requests a second (account, region)", 10000, model.api_peak_per_s),
        Quota("API Gateway", "WebSocket new connections a second (account, region)", 500, connects),
        Quota("Cognito", "UserAuthentication requests a second (sign-in, refresh: InitiateAuth)", 120, auth_peak),
    ]
    by_category: dict[tuple[str, float], float] = defaultdict(float)
    for call, rate in model.calls_peak.items():
        service, op = call.split(":")
        if service == "cognito-idp" and op in COGNITO_CATEGORIES:
            by_category[COGNITO_CATEGORIES[op]] += rate
    for (category, limit), rate in sorted(by_category.items()):
        out.append(Quota("Cognito", f"{category} requests a second", limit, rate))
    for kind in ("read", "write"):
        (table, index), units = max(model.capacity_peak.items(), key=lambda t: t[1][kind])
        where = f"{table}{'.' + index if index else ''}"
        out.append(Quota("DynamoDB", f"On-demand {kind} units a second per table or index ({where})", 40000,
                         units[kind]))
    (key, heat, _), = hottest_partitions(model, 1)
    out.append(Quota("DynamoDB", f"Per-partition {key[2]} units a second ({_where(key)})",
                     partition_limit(key[2]), heat, adjustable=False))
    return out


def _where(key: tuple[str, str, str, str]) -> str:
    table, index, _kind, partition = key
    return f"{table}{'.' + index if index else ''} {partition}"


# --- cost ------------------------------------------------------------------------------------


def _tiered(amount: float, tiers: list[list[Any]], unit: float) -> float:
    """``amount`` priced by ``tiers`` of [upper bound in ``unit``s or None, price per ``unit``]."""
    total, lower = 0.0, 0.0
    for upper, price in tiers:
        top = amount if upper is None else min(amount, upper * unit)
        if top > lower:
            total += (top - lower) / unit * price
        if upper is not None:
            lower = upper * unit
        if amount <= lower:
            break
    return total


def monthly_cost(model: Model, prices: dict[str, Any] | None = None) -> dict[str, float]:
    """USD a month per service."""
    prices = prices or load_yaml("prices.yaml")
    w, m = model.workload, DAYS_PER_MONTH
    invocations = sum(f.invocations_per_day for f in model.functions.values()) * m
    gb_s = sum(f.gb_seconds_per_day for f in model.functions.values()) * m
    lam = prices["lambda"]
    api = model.api_per_day * m
    ws = prices["api_gateway_websocket"]
    live = w["live"]
    sessions = w["patients"] * w["patient"]["daily_active_share"] * w["patient"]["page_loads_per_active_day"] \
        * live["sessions_per_page_load"] * m
    messages = model.calls_per_day.get("apigatewaymanagementapi:PostToConnection", 0.0) * m
    ddb = prices["dynamodb"]
    reads = sum(u["read"] for u in model.capacity_per_day.values()) * m
    writes = sum(u["write"] for u in model.capacity_per_day.values()) * m
    storage_gb = storage(model)
    cognito = prices["cognito"]
    mau = mau_count(model)
    sensor = w["sensor"]
    uploads = sensor_wearers(w) * sensor["readings_per_hour"] * 24 / sensor["readings_per_upload"]
    # The pipeline sends readings in batches of 10 (SendMessageBatch); Lambda polls and deletes
    # per batch of 100 messages (about one ReceiveMessage and one DeleteMessageBatch each).
    sqs_requests = (uploads * sensor["readings_per_upload"] / 10
                    + 2 * model.functions.get("IngestReadingsFunction", FunctionLoad()).invocations_per_day
                    + sum(n for call, n in model.calls_per_day.items() if call.startswith("sqs:"))) * m
    logs_gb = invocations * w["lambda"]["log_bytes_per_invocation"] / 1e9
    return {
        "Cognito (Essentials MAU)": max(0.0, mau - cognito["essentials_free_mau"]) * cognito["essentials_per_mau"],
        "API Gateway REST": _tiered(api, prices["api_gateway_rest"]["tiers"], 1e6),
        "API Gateway WebSocket": messages / 1e6 * ws["per_million_messages"]
        + sessions * live["session_minutes"] / 1e6 * ws["per_million_connection_minutes"],
        "Lambda": invocations / 1e6 * lam["per_million_requests"] + gb_s * lam["per_gb_second_arm64"],
        "DynamoDB requests": writes / 1e6 * ddb["per_million_write_request_units"]
        + reads / 1e6 * ddb["per_million_read_request_units"],
        "DynamoDB storage and backups": storage_gb * (ddb["per_gb_month_storage"] + ddb["per_gb_month_pitr"]),
        "SQS": sqs_requests / 1e6 * prices["sqs"]["per_million_requests"],
        "CloudWatch Logs": logs_gb * prices["cloudwatch_logs"]["per_gb_ingested"],
        "X-Ray": api * prices["xray"]["sampled_share"] / 1e6 * prices["xray"]["per_million_traces"],
        "WAF": api / 1e6 * prices["waf"]["per_million_requests"] + prices["waf"]["per_month_fixed"],
    }


def cognito_lite(model: Model, prices: dict[str, Any] | None = None) -> float:
    prices = prices or load_yaml("prices.yaml")
    c = prices["cognito"]
    return _tiered(max(0.0, mau_count(model) - c["lite_free_mau"]), c["lite_tiers"], 1.0)


def mau_count(model: Model) -> float:
    return float(model.workload["patients"] * model.workload["patient"]["monthly_active_share"] + model.staff)


def storage(model: Model) -> float:
    """GB stored after ``retention_days`` of the workload: the measured bytes each operation adds
    (items and index entries, with DynamoDB's 100 bytes of overhead each), nothing expiring."""
    return sum(model.stored_per_day.values()) * model.workload["storage"]["retention_days"] / 1e9


def convex_cost(model: Model, prices: dict[str, Any] | None = None) -> dict[str, float]:
    """The same workload at Convex's published Professional prices: every API call, upload, lab
    panel, sign-in, refresh and nightly rollup a function call, each live change a subscription
    update for the two stats queries; database bandwidth at the 1 KiB a document minimum."""
    prices = prices or load_yaml("prices.yaml")
    c, m = prices["convex_professional"], DAYS_PER_MONTH
    calls = 0.0
    for d in model.demands:
        calls += d.per_day * (2 if d.operation.startswith("live change") else 1)
    calls *= m
    bandwidth_gb = sum(model.items_per_day.values()) * m * 1024 / 1e9
    return {
        "developer seats": c["developers"] * c["per_developer_month"],
        "function calls": max(0.0, calls / 1e6 - c["function_calls_included_millions"])
        * c["per_million_function_calls"],
        "database bandwidth": max(0.0, bandwidth_gb - c["bandwidth_included_gb"]) * c["per_gb_bandwidth"],
        "database storage": max(0.0, storage(model) - c["storage_included_gb"]) * c["per_gb_month_storage"],
    }


# --- settings the template takes from the model ----------------------------------------------


def nice(value: float) -> int:
    """Round up to 1, 2 or 5 times a power of ten (settings a reader can check by eye)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return int(step * power)
    raise AssertionError(value)


def method_throttles(model: Model, methods: list[tuple[str, str]]) -> dict[tuple[str, str], tuple[int, int]]:
    """(path, method) -> (rate, burst) for each throttled method: the route's modelled peak-hour
    rate times ``peak_second_factor`` (the busiest second) times ``headroom``, never below
    ``min_method_rate``, burst twice the rate. ("/*", "*") is every
    route without its own setting: the busiest of them."""
    w, peaks = model.workload, model.route_peaks
    named = set(methods) - {("/*", "*")}
    out = {}
    for key in methods:
        peak = max((v for k, v in peaks.items() if k not in named), default=0.0) if key == ("/*", "*") \
            else peaks.get(key, 0.0)
        rate = max(w["min_method_rate"], nice(peak * w["peak_second_factor"] * w["headroom"]))
        out[key] = (rate, 2 * rate)
    return out


def reserved_concurrency(model: Model, function: str) -> int:
    """A worker's reserved concurrency: its modelled peak concurrency times ``headroom``; at least
    2 (an SQS event source's smallest MaximumConcurrency)."""
    load = model.functions.get(function, FunctionLoad())
    return max(2, nice(load.concurrency * model.workload["headroom"]))
