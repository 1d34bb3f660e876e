import { useState } from "react";
import type { Client } from "../api/client";
import { formatTime, useFetched } from "./useFetched";

const PAGE = 10;

export function LatestReadings({ client, version, onError }: { client: Client; version: number; onError: (e: unknown) => void }) {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]); // a stack: back = pop
  const cursor = cursors[cursors.length - 1];
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
      <nav className="pager">
        <button disabled={cursors.length < 2} onClick={() => setCursors(cursors.slice(0, -1))}>Previous</button>
        <button disabled={!data?.nextCursor} onClick={() => setCursors([...cursors, data!.nextCursor!])}>Next</button>
      </nav>
    </section>
  );
}
