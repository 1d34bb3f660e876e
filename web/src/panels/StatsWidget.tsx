import type { Status } from "../biomarkers/filters";
import { type PanelProps, useFetched } from "./useFetched";

const ROWS = [
  { key: "optimal", label: "Optimal", status: "optimal" },
  { key: "inRange", label: "In range", status: "in-range" },
  { key: "outOfRange", label: "Out of range", status: "out-of-range" },
] as const;

/** The statuses of the latest reading of each biomarker; a count opens the readings it counts. */
export function StatsWidget({ client, version, onError, onShow }: PanelProps & { onShow: (status: Status) => void }) {
  const { data, error } = useFetched(() => client.GET("/biomarkers/stats", {}), [client, version], onError);
  return (
    <section className="card" data-testid="stats" aria-labelledby="stats-title">
      <h2 id="stats-title">Biomarkers</h2>
      {error && <p role="alert" className="error">{error}</p>}
      {data && (
        <>
          <p className="total"><strong data-testid="stats-total">{data.total}</strong> biomarkers tracked</p>
          <ul className="stats">
            {ROWS.map(({ key, label, status }) => (
              <li key={key} className={`status-${key}`} data-testid={`stats-${key}`}>
                <span className="label">{label}</span>
                <button className="count link" data-testid={`stats-${key}-count`} aria-label={`${data.counts[key]} ${label}: show these readings`}
                  onClick={() => onShow(status)}>{data.counts[key]}</button>
                <span className="percent" data-testid={`stats-${key}-percent`}>{data[key]}%</span>
                <span className="bar" style={{ width: `${data[key]}%` }} />
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
