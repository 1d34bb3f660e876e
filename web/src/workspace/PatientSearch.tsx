import { type FormEvent, useState } from "react";
import type { Schemas } from "../api/client";
import { formatTime } from "../panels/useFetched";
import { describe, type Asked, patientQuery } from "./search";
import { More, usePages } from "./usePages";
import type { StaffPanelProps } from "./Workspace";

/** Patients newest first, the one with an exact email address, or those whose name has a word
 * starting with what was typed (GET /admin/patients `email` or `name`): one box, an "@" makes it
 * an address. Every list grows with "More" from the API's cursor. */
export function PatientSearch({ client, onError, onOpen }: StaffPanelProps & { onOpen: (p: Schemas["User"]) => void }) {
  const [typed, setTyped] = useState("");
  const [query, setQuery] = useState<Asked>({ kind: "all" });
  const [refusal, setRefusal] = useState<string | null>(null);
  const email = query.kind === "email" ? query.email : undefined;
  const name = query.kind === "name" ? query.name : undefined;
  const pages = usePages((cursor) => client.GET("/admin/patients", { query: { email, name, limit: 20, cursor } }),
    [client, email, name], onError);
  function search(event: FormEvent) {
    event.preventDefault();
    const next = patientQuery(typed);
    // A search the API would refuse is said beside the box; the results shown stay.
    if (next.kind === "refused") {
      setRefusal(next.reason);
    } else {
      setRefusal(null);
      setQuery(next);
    }
  }
  const shown = describe(query);
  return (
    <section className="card" data-testid="patient-search" aria-labelledby="patients-title">
      <h2 id="patients-title">Patients</h2>
      <form className="inline-form" onSubmit={search} role="search">
        <label>Name or email address
          <input type="search" value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off"
            placeholder="pat, or ava.patel@…" aria-describedby="patients-hint" />
        </label>
        <button type="submit">Search</button>
        {query.kind !== "all" && (
          <button type="button" onClick={() => { setTyped(""); setRefusal(null); setQuery({ kind: "all" }); }}>All patients</button>
        )}
      </form>
      {refusal && <p role="alert" className="error">{refusal}</p>}
      <p id="patients-hint" className="muted">{shown.heading}</p>
      {pages.error && <p role="alert" className="error">{pages.error}</p>}
      {!pages.loading && !pages.error && pages.items.length === 0 && <p role="status">{shown.none}</p>}
      <ul className="list">
        {pages.items.map((p) => (
          <li key={p.userId} data-patient={p.userId}>
            <button className="link" onClick={() => onOpen(p)}>{p.name ?? p.email}</button>
            <span className="muted">{p.email} · since {formatTime(p.createdAt)}</span>
          </li>
        ))}
      </ul>
      <More pages={pages} label="patients" />
    </section>
  );
}
