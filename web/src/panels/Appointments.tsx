import { useState } from "react";
import type { Client, Schemas } from "../api/client";
import { formatTime, useFetched } from "./useFetched";

const TYPES: Schemas["AppointmentType"][] = ["checkup", "lab", "consultation", "follow-up", "telehealth", "imaging", "vaccination"];
const PAGE = 5;

export function Appointments({ client, version, onError }: { client: Client; version: number; onError: (e: unknown) => void }) {
  const [type, setType] = useState<Schemas["AppointmentType"] | "">("");
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const { data, error } = useFetched(
    () => client.GET("/appointments", { query: { type: type || undefined, limit: PAGE, cursor } }),
    [client, version, type, cursor], onError);
  return (
    <section className="card" data-testid="appointments">
      <h2>Appointments</h2>
      <label>
        Type{" "}
        <select value={type} onChange={(e) => { setType(e.target.value as typeof type); setCursors([undefined]); }}>
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
      <nav className="pager">
        <button disabled={cursors.length < 2} onClick={() => setCursors(cursors.slice(0, -1))}>Previous</button>
        <button disabled={!data?.nextCursor} onClick={() => setCursors([...cursors, data!.nextCursor!])}>Next</button>
      </nav>
    </section>
  );
}
