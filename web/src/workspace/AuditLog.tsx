import { type FormEvent, useEffect, useState } from "react";
import type { Schemas } from "../api/client";
import { explain } from "../panels/explain";
import { formatTime } from "../panels/useFetched";
import { More, usePages } from "./usePages";
import type { StaffPanelProps } from "./Workspace";

const DAY = 86_400_000;
const day = (ms: number) => new Date(ms - new Date(ms).getTimezoneOffset() * 60_000).toISOString().slice(0, 10);

export type AuditScope = { patientId: string; actorId?: undefined } | { actorId: string; patientId?: undefined };

/** Who read or changed one patient's records, or what one staff member did, newest first (the
 * API answers one of the two); and the export of a time range, oldest first, as a JSON file. */
export function AuditLog({ client, onError, scope, onScope }: StaffPanelProps & { scope: AuditScope; onScope: (s: AuditScope) => void }) {
  const [kind, setKind] = useState<"patientId" | "actorId">(scope.patientId ? "patientId" : "actorId");
  const [typed, setTyped] = useState(scope.patientId ?? scope.actorId ?? "");
  const pages = usePages((cursor) => client.GET("/admin/audit", { query: { ...scope, limit: 20, cursor } }),
    [client, scope.patientId, scope.actorId], onError);
  function show(event: FormEvent) {
    event.preventDefault();
    const id = typed.trim();
    onScope(kind === "patientId" ? { patientId: id } : { actorId: id });
  }
  return (
    <div className="grid">
      <section className="card wide" data-testid="audit-log" aria-labelledby="audit-title">
        <h2 id="audit-title">Audit log</h2>
        <form className="inline-form" onSubmit={show}>
          <label>Of
            <select value={kind} onChange={(e) => setKind(e.target.value as typeof kind)}>
              <option value="patientId">a patient's records</option>
              <option value="actorId">a staff member's actions</option>
            </select>
          </label>
          <label>Id <input required pattern="[A-Za-z0-9\-]{1,64}" value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" /></label>
          <button type="submit">Show</button>
        </form>
        <p className="muted">{scope.patientId ? `Who read or changed the records of patient ${scope.patientId}` : `What staff member ${scope.actorId} did`}, newest first.</p>
        {pages.error && <p role="alert" className="error">{pages.error}</p>}
        {!pages.loading && pages.items.length === 0 && <p className="muted">No events.</p>}
        {pages.items.length > 0 && (
          <div className="scroll-x">
            <table>
              <thead><tr><th scope="col">When</th><th scope="col">Action</th><th scope="col">Resource</th><th scope="col">Staff</th><th scope="col">Patient</th></tr></thead>
              <tbody>
                {pages.items.map((e) => (
                  <tr key={e.eventId} data-event={e.eventId}>
                    <td>{formatTime(e.at)}</td><td>{e.action}</td><td>{e.resource}</td><td>{e.actorId}</td><td>{e.patientId}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <More pages={pages} label="audit events" />
      </section>
      <AuditExport client={client} onError={onError} />
    </div>
  );
}

/** GET /admin/audit-events/export page after page until `complete`, then a file to save. */
function AuditExport({ client, onError }: StaffPanelProps) {
  const [from, setFrom] = useState(day(Date.now() - 7 * DAY));
  const [to, setTo] = useState(day(Date.now()));
  const [state, setState] = useState<{ busy: boolean; error: string | null; events: Schemas["AuditEvent"][] | null }>(
    { busy: false, error: null, events: null });
  const [file, setFile] = useState<string | null>(null);
  useEffect(() => () => { if (file) URL.revokeObjectURL(file); }, [file]);

  async function run(event: FormEvent) {
    event.preventDefault();
    setState({ busy: true, error: null, events: null });
    setFile(null);
    const range = { from: new Date(`${from}T00:00`).getTime(), to: new Date(`${to}T00:00`).getTime() + DAY - 1 };
    try {
      const events: Schemas["AuditEvent"][] = [];
      let cursor: string | undefined;
      for (;;) {
        const page = await client.GET("/admin/audit-events/export", { query: { ...range, limit: 100, cursor } });
        events.push(...page.items);
        if (page.complete || !page.nextCursor) break;
        cursor = page.nextCursor;
      }
      setFile(URL.createObjectURL(new Blob([JSON.stringify({ ...range, events }, null, 1)], { type: "application/json" })));
      setState({ busy: false, error: null, events });
    } catch (e) {
      setState({ busy: false, error: explain(e), events: null });
      onError(e);
    }
  }
  return (
    <section className="card wide" data-testid="audit-export" aria-labelledby="audit-export-title">
      <h2 id="audit-export-title">Export the audit log</h2>
      <form className="inline-form" onSubmit={run}>
        <label>From <input type="date" required value={from} onChange={(e) => setFrom(e.target.value)} /></label>
        <label>To <input type="date" required value={to} onChange={(e) => setTo(e.target.value)} /></label>
        <button type="submit" disabled={state.busy}>Export</button>
      </form>
      {state.busy && <p role="status">Exporting…</p>}
      {state.error && <p role="alert" className="error">{state.error}</p>}
      {state.events && file && (
        <p role="status" data-testid="audit-export-done">{state.events.length} events from {from} to {to}.{" "}
          <a className="button" href={file} download={`audit-${from}-${to}.json`}>Save the file</a></p>
      )}
    </section>
  );
}
