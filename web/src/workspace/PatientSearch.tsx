import { type FormEvent, useState } from "react";
import type { Schemas } from "../api/client";
import { formatTime } from "../panels/useFetched";
import { More, usePages } from "./usePages";
import type { StaffPanelProps } from "./Workspace";

/** Patients newest first, or the one with an exact email address (GET /admin/patients: the API
 * looks up an address exactly and has no search by name). */
export function PatientSearch({ client, onError, onOpen }: StaffPanelProps & { onOpen: (p: Schemas["User"]) => void }) {
  const [typed, setTyped] = useState("");
  const [email, setEmail] = useState("");
  const pages = usePages((cursor) => client.GET("/admin/patients", { query: { email: email || undefined, limit: 20, cursor } }),
    [client, email], onError);
  function search(event: FormEvent) {
    event.preventDefault();
    setEmail(typed.trim());
  }
  return (
    <section className="card" data-testid="patient-search" aria-labelledby="patients-title">
      <h2 id="patients-title">Patients</h2>
      <form className="inline-form" onSubmit={search} role="search">
        <label>Email address
          <input type="email" value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" />
        </label>
        <button type="submit">Search</button>
        {email && <button type="button" onClick={() => { setTyped(""); setEmail(""); }}>All patients</button>}
      </form>
      <p className="muted">{email ? `The patient with the address ${email}.` : "Every patient, newest first. Search by the exact email address."}</p>
      {pages.error && <p role="alert" className="error">{pages.error}</p>}
      {!pages.loading && !pages.error && pages.items.length === 0 &&
        <p role="status">{email ? "No patient has that address." : "No patients yet."}</p>}
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
