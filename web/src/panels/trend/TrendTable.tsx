import { formatTime } from "../useFetched";
import type { Trend } from "./load";
import { outside } from "./series";

const round = (v: number) => Number(v.toFixed(2));

/** The chart's data as tables: the daily rollups and the recent readings. */
export function TrendTable({ trend }: { trend: Trend }) {
  const unit = trend.unit;
  return (
    <details className="trend-table">
      <summary>Table view</summary>
      <div className="scroll-x">
        <table data-testid="trend-daily-table">
          <caption>{trend.name}: daily minimum, average and maximum ({unit})</caption>
          <thead><tr><th scope="col">Day</th><th scope="col">Min</th><th scope="col">Average</th><th scope="col">Max</th><th scope="col">Readings</th></tr></thead>
          <tbody>
            {trend.daily.map((p) => (
              <tr key={p.day}>
                <th scope="row">{p.day}</th><td>{round(p.min)}</td>
                <td>{round(p.avg)}{outside(p.avg, trend) ? " (out of range)" : ""}</td>
                <td>{round(p.max)}</td><td>{p.count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {trend.raw.length > 0 && (
        <div className="scroll-x">
          <table>
            <caption>{trend.name}: recent readings ({unit})</caption>
            <thead><tr><th scope="col">Recorded</th><th scope="col">Value</th><th scope="col">Status</th></tr></thead>
            <tbody>
              {trend.raw.map((r) => (
                <tr key={r.readingId}><th scope="row">{formatTime(r.recordedAt)}</th><td>{r.value}</td><td>{r.status.replace(/-/g, " ")}</td></tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </details>
  );
}
