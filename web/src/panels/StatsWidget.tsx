import { type PanelProps, useFetched } from "./useFetched";

const ROWS = [
  { key: "optimal", label: "Optimal" },
  { key: "inRange", label: "In range" },
  { key: "outOfRange", label: "Out of range" },
] as const;

export function StatsWidget({ client, version, onError }: PanelProps) {
  const { data, error } = useFetched(() => client.GET("/biomarkers/stats", {}), [client, version], onError);
  return (
    <section className="card" data-testid="stats">
      <h2>Biomarkers</h2>
      {error && <p role="alert" className="error">{error}</p>}
      {data && (
        <>
          <p className="total"><strong data-testid="stats-total">{data.total}</strong> biomarkers tracked</p>
          <ul className="stats">
            {ROWS.map(({ key, label }) => (
              <li key={key} className={`status-${key}`} data-testid={`stats-${key}`}>
                <span className="label">{label}</span>
                <span className="count" data-testid={`stats-${key}-count`}>{data.counts[key]}</span>
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
