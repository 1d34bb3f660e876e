"""The template's throttles, reserved concurrency, queue batch settings and rollup marker shards,
as the model derives them for the workload the template is sized for (``template_sized_for`` in
workload.yaml), and as template.yaml has them: tests/unit/test_capacity_template.py keeps the two
equal."""

from __future__ import annotations

from typing import Any

from capacity import model

# Workers whose concurrency is reserved: the API routes share the unreserved pool on purpose.
RESERVED = ("IngestReadingsFunction", "LiveFanOutFunction", "RollupWorkerFunction", "PlanNightlyRollupsFunction",
            "EraseAccountDataFunction")
INGEST_MAPPING = "IngestReadingsQueueEventSource"
ROLLUP_MAPPING = "RollupWorkerEventSource"
# The SQS batch the ingest unit cost is measured with (capacity/measure.py: 33 uploads x 3 readings).
MEASURED_INGEST_BATCH = 99
MARKER_SHARDS = "RollupMarkerShards"


def sized_for() -> str:
    name: str = model.load_yaml("workload.yaml")["template_sized_for"]
    return name


def _decode(resource_path: str) -> str:
    """MethodSettings' ResourcePath: "/~1me~1export" is /me/export ("/*" stays)."""
    return resource_path if resource_path == "/*" else resource_path[1:].replace("~1", "/")


def throttled_methods(template: dict[str, Any]) -> list[tuple[str, str]]:
    """(path, method) of every MethodSettings entry of the REST API, "/*" for the stage default."""
    settings = template["Resources"]["ClinicApi"]["Properties"]["MethodSettings"]
    return [(_decode(s["ResourcePath"]), s["HttpMethod"]) for s in settings]


def throttles(m: model.Model, methods: list[tuple[str, str]] | None = None) -> dict[tuple[str, str], tuple[int, int]]:
    if methods is None:
        from clinic_tools import template

        methods = throttled_methods(template.load())
    out = model.method_throttles(m, methods)
    live = m.functions.get("LiveConnectFunction", model.FunctionLoad()).peak_invocations_per_s \
        + m.functions.get("LiveDisconnectFunction", model.FunctionLoad()).peak_invocations_per_s
    w = m.workload
    rate = max(w["min_method_rate"], model.nice(live * w["peak_second_factor"] * w["headroom"]))
    out[("$default (WebSocket stage)", "*")] = (rate, 2 * rate)
    return out


def reserved(m: model.Model) -> dict[str, int]:
    return {fn: model.reserved_concurrency(m, fn) for fn in RESERVED}


def derived(m: model.Model) -> dict[str, Any]:
    """Every setting the template takes from the model, keyed as ``template_values`` keys them."""
    out: dict[str, Any] = {}
    for (path, method), (rate, burst) in throttles(m).items():
        out[f"throttle {method} {path}"] = (rate, burst)
    for fn, n in reserved(m).items():
        out[f"reserved {fn}"] = n
    out[f"maximum concurrency {ROLLUP_MAPPING}"] = reserved(m)["RollupWorkerFunction"]
    out[f"batch {INGEST_MAPPING}"] = (model.nice(MEASURED_INGEST_BATCH), m.workload["ingest_batch_window_s"])
    out[f"parameter {MARKER_SHARDS}"] = m.marker_shards
    return out


def template_values(template: dict[str, Any]) -> dict[str, Any]:
    resources = template["Resources"]
    out: dict[str, Any] = {}
    for s in resources["ClinicApi"]["Properties"]["MethodSettings"]:
        out[f"throttle {s['HttpMethod']} {_decode(s['ResourcePath'])}"] = (s["ThrottlingRateLimit"],
                                                                          s["ThrottlingBurstLimit"])
    live = resources["LiveStage"]["Properties"]["DefaultRouteSettings"]
    out["throttle * $default (WebSocket stage)"] = (live["ThrottlingRateLimit"], live["ThrottlingBurstLimit"])
    for fn in RESERVED:
        out[f"reserved {fn}"] = resources[fn]["Properties"]["ReservedConcurrentExecutions"]
    rollup = resources[ROLLUP_MAPPING]["Properties"]
    out[f"maximum concurrency {ROLLUP_MAPPING}"] = rollup["ScalingConfig"]["MaximumConcurrency"]
    ingest = resources[INGEST_MAPPING]["Properties"]
    out[f"batch {INGEST_MAPPING}"] = (ingest["BatchSize"], ingest["MaximumBatchingWindowInSeconds"])
    out[f"parameter {MARKER_SHARDS}"] = template["Parameters"][MARKER_SHARDS]["Default"]
    return out
