import { Pager, useCursors } from "./Pager";
import { formatTime, type PanelProps, useFetched } from "./useFetched";

const PAGE = 10;

export function LatestReadings({ client, version, onError }: PanelProps) {
  const cursors = useCursors();
  const { cursor } = cursors;
  const { data, error } = useFetched(
    () => client.GET("/biomarkers/latest", { query: { limit: PAGE, cursor } }), [client, version, cursor], onError);
  return (
    <section className="card wide" data-testid="latest">
      <h2>Latest readings</h2>
      {error && <p role="alert" className="error">{error}</p>}
      {data && data.items.length === 0 && <p className="muted">No readings yet.</p>}
      {data && data.items.length > 0 && (
        <table>
          <thead><tr><th>Biomarker</th><th>Value</th><th>Status</th><th>Recorded</th></tr></thead>
          <tbody>
            {data.items.map((r) => (
              <tr key={r.readingId}>
                <td>{r.name}</td>
                <td>{r.value} {r.unit}</td>
                <td><span className={`pill ${r.status}`}>{r.status.replace(/-/g, " ")}</span></td>
                <td>{formatTime(r.recordedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager cursors={cursors} nextCursor={data?.nextCursor} />
    </section>
  );
}
