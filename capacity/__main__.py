"""`make capacity`: the capacity and cost model for each workload of capacity/workload.yaml
(python -m capacity [workload ...])."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from capacity import model, settings


def _n(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 1:
        return f"{value:,.1f}"
    return f"{value:.3g}"


def _table(title: str, header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = lambda r: "  " + "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)  # noqa: E731
                                      for i, (c, w) in enumerate(zip(r, widths, strict=True)))
    return "\n".join([f"\n{title}", line(header), "  " + "-" * (sum(widths) + 2 * len(widths) - 2),
                      *(line(r) for r in rows)])


def render(m: model.Model) -> str:
    w = m.workload
    prices = model.load_yaml("prices.yaml")
    out = [f"==== workload {m.name}: {w['patients']:,} patients, {m.staff:,} staff, "
           f"{model.sensor_wearers(w):,.0f} sensor wearers, clinic time {w['clinic_time_zone']} ===="]
    rows = [[name, _n(f.average_requests_per_s), _n(f.peak_requests_per_s), _n(f.peak_invocations_per_s),
             _n(f.concurrency)]
            for name, f in sorted(m.functions.items(), key=lambda kv: -kv[1].peak_requests_per_s)]
    total = [sum(f.average_requests_per_s for f in m.functions.values()),
             sum(f.peak_requests_per_s for f in m.functions.values()),
             sum(f.peak_invocations_per_s for f in m.functions.values()),
             sum(f.concurrency for f in m.functions.values())]
    rows.append(["all functions", *(_n(v) for v in total)])
    out.append(_table("Functions (operations a second; each operation's own peak, summed)",
                      ["function", "avg ops/s", "peak ops/s", "peak invocations/s", "concurrency"], rows))
    out.append(f"  API Gateway REST: {_n(m.api_peak_per_s)} requests/s at peak, {m.api_per_day:,.0f} a day")

    rows = [[f"{t}{'.' + i if i else ''}", _n(u["read"]), _n(u["write"]),
             _n(m.capacity_per_day[(t, i)]["read"] / 1e6), _n(m.capacity_per_day[(t, i)]["write"] / 1e6)]
            for (t, i), u in sorted(m.capacity_peak.items())]
    out.append(_table("DynamoDB capacity (units; indexes by name)",
                      ["table.index", "peak RRU/s", "peak WRU/s", "M RRU/day", "M WRU/day"], rows))

    rows = []
    for key, units, share in model.hottest_partitions(m):
        table, index, kind, partition = key
        verdict = "ok"
        if share * w["headroom"] > 1:
            verdict = "FIX the key" + (": GSI back-pressure throttles the table's writes" if index and
                                       kind == "write" else "")
        rows.append([f"{table}{'.' + index if index else ''}", partition, kind, _n(units), f"{share:.0%}",
                     verdict])
    out.append(_table("Hottest partitions in the busiest second (limit 3,000 RCU / 1,000 WCU a partition; "
                      f"'user' = one person's key at {w['person_requests_per_s']} request a second; 9 = any digit)",
                      ["table.index", "key", "kind", "units/s", "of limit", f"x{w['headroom']} headroom"], rows))

    rows = [[q.service, q.name, _n(q.limit), _n(q.demand), f"{q.use:.0%}",
             ("RAISE before launch" if q.adjustable else "FIX the key design") if q.must_raise(w["headroom"])
             else "ok"] for q in model.quotas(m)]
    out.append(_table(f"Quotas (defaults; raise when peak x {w['headroom']} headroom exceeds the limit)",
                      ["service", "quota", "limit", "peak", "use", ""], rows))

    live = w["live"]
    sessions_peak = m.functions.get("LiveConnectFunction", model.FunctionLoad()).peak_invocations_per_s
    out.append(f"\nWebSocket: {_n(sessions_peak)} connections opened/s at peak, "
               f"{_n(sessions_peak * live['session_minutes'] * 60)} open at peak, "
               f"{_n(m.calls_peak.get('apigatewaymanagementapi:PostToConnection', 0))} messages/s at peak, "
               f"{m.calls_per_day.get('apigatewaymanagementapi:PostToConnection', 0):,.0f} messages a day")
    others = {k: v for k, v in m.calls_per_day.items() if not k.startswith("dynamodb:")}
    out.append("Other AWS calls a day: " + ", ".join(f"{k} {v:,.0f}" for k, v in sorted(others.items())))
    if not w["reminders"]["per_patient_per_month"]:
        out.append("Reminders: not in the model yet; docs/decisions.md computes their cost by hand.")

    stored = sorted(m.stored_per_day.items(), key=lambda kv: -kv[1])
    out.append(f"DynamoDB storage: {sum(m.stored_per_day.values()) / 1e9:,.1f} GB a day ("
               + ", ".join(f"{t} {v / 1e9:,.1f}" for t, v in stored[:3])
               + f"), {model.storage(m) / 1e3:,.1f} TB after {w['storage']['retention_days']} days (priced below)")
    cost = model.monthly_cost(m, prices)
    per_k = w["patients"] / 1000
    total_cost = sum(cost.values())
    rows = [[k, f"{v:,.0f}", f"{v / per_k:,.2f}", f"{v / total_cost:.0%}"] for k, v in
            sorted(cost.items(), key=lambda kv: -kv[1])]
    rows.append(["total", f"{total_cost:,.0f}", f"{total_cost / per_k:,.2f}", "100%"])
    out.append(_table(f"Monthly cost, USD (us-east-1 list prices checked {prices['checked']}, capacity/prices.yaml)",
                      ["service", "a month", "per 1,000 patients", "share"], rows))
    out.append(f"  Cognito on the Lite tier instead: {model.cognito_lite(m, prices):,.0f} a month "
               f"({model.mau_count(m):,.0f} MAU)")
    convex = model.convex_cost(m, prices)
    rows = [[k, f"{v:,.0f}"] for k, v in convex.items()] + [["total", f"{sum(convex.values()):,.0f}"]]
    out.append(_table(f"Convex Professional, same workload ({prices['convex_professional']['source']}; "
                      "authentication not included)", ["line", "a month"], rows))

    rows = [[f"{method} {path}", str(rate), str(burst)]
            for (path, method), (rate, burst) in settings.throttles(m).items()]
    rows += [[f"{fn} reserved concurrency", str(n), ""] for fn, n in settings.reserved(m).items()]
    rows.append([f"{settings.MARKER_SHARDS} (rollup marker shards)", str(m.marker_shards), ""])
    out.append(_table(f"Settings from this workload (peak x {w['headroom']}, rounded up to 1/2/5 x 10^n)",
                      ["setting", "rate/value", "burst"], rows))
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("workloads", nargs="*", help="names in capacity/workload.yaml (default: all)")
    args = parser.parse_args()
    names = args.workloads or list(model.load_yaml("workload.yaml")["workloads"])
    for name in names:
        print(render(model.build(name)))
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
