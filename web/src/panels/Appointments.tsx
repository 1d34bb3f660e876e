import { useState } from "react";
import type { Schemas } from "../api/client";
import { Pager, useCursors } from "./Pager";
import { formatTime, type PanelProps, useFetched } from "./useFetched";

const TYPES: Schemas["AppointmentType"][] = ["checkup", "lab", "consultation", "follow-up", "telehealth", "imaging", "vaccination"];
const PAGE = 5;

export function Appointments({ client, version, onError }: PanelProps) {
  const [type, setType] = useState<Schemas["AppointmentType"] | "">("");
  const cursors = useCursors();
  const { cursor } = cursors;
  const { data, error } = useFetched(
    () => client.GET("/appointments", { query: { type: type || undefined, limit: PAGE, cursor } }),
    [client, version, type, cursor], onError);
  return (
    <section className="card" data-testid="appointments">
      <h2>Appointments</h2>
      <label>
        Type{" "}
        <select value={type} onChange={(e) => { setType(e.target.value as typeof type); cursors.reset(); }}>
          <option value="">all</option>
          {TYPES.map((t) => <option key={t} value={t}>{t}</option>)}
        </select>
      </label>
      {error && <p role="alert" className="error">{error}</p>}
      {data && data.items.length === 0 && <p className="muted">No appointments.</p>}
      <ul className="list">
        {data?.items.map((a) => (
          <li key={a.appointmentId}>
            <strong>{a.title}</strong>
            <span className="muted">{a.type} · {a.status} · {formatTime(a.startTime)}</span>
          </li>
        ))}
      </ul>
      <Pager cursors={cursors} nextCursor={data?.nextCursor} />
    </section>
  );
}
