import { type FormEvent, useState } from "react";
import type { Schemas } from "../api/client";
import { CATEGORIES, STATUSES, type Status } from "../biomarkers/filters";
import { explain } from "../panels/explain";
import { formatTime } from "../panels/useFetched";
import { More, usePages } from "./usePages";
import type { StaffPanelProps } from "./Workspace";

type Props = StaffPanelProps & { userId: string; version: number; onChanged: () => void };
type Reading = Schemas["Reading"];
type ReadingCorrection = Schemas["ReadingCorrection"];

/** The patient's readings newest first, or one biomarker's history (a name opens it); a lab
 * result is recorded here, and a reading corrected or withdrawn with a reason. */
export function PatientReadings({ client, onError, userId, version, onChanged }: Props) {
  const [name, setName] = useState<string | null>(null);
  const pages = usePages<Reading>((cursor) => client.GET("/admin/patients/{userId}/biomarkers",
    { path: { userId }, query: { name: name ?? undefined, limit: 20, cursor } }), [client, userId, name, version], onError);
  const [correcting, setCorrecting] = useState<{ reading: Reading; kind: "value" | "error" } | null>(null);
  return (
    <section className="card wide" data-testid="patient-readings" aria-labelledby="patient-readings-title">
      <div className="toolbar">
        <h2 id="patient-readings-title">{name ? `History of ${name}` : "Readings, newest first"}</h2>
        {name && <button onClick={() => setName(null)}>Every biomarker</button>}
      </div>
      <LabEntry client={client} onError={onError} userId={userId} onRecorded={onChanged} />
      {pages.error && <p role="alert" className="error">{pages.error}</p>}
      {!pages.loading && pages.items.length === 0 && <p className="muted">No readings.</p>}
      {pages.items.length > 0 && (
        <div className="scroll-x">
          <table>
            <thead><tr><th scope="col">Biomarker</th><th scope="col">Value</th><th scope="col">Status</th><th scope="col">Recorded</th><th scope="col">Correct</th></tr></thead>
            <tbody>
              {pages.items.map((r) => (
                <tr key={r.readingId} data-reading={r.readingId}>
                  <td><button className="link" onClick={() => setName(r.name)}>{r.name}<span className="visually-hidden">: history</span></button></td>
                  <td>{r.value} {r.unit}</td>
                  <td><span className={`pill ${r.status}`}>{r.status.replace(/-/g, " ")}</span></td>
                  <td>{formatTime(r.recordedAt)}<span className="muted source">{r.source}</span></td>
                  <td>
                    {!r.withdrawnAt && (
                      <span className="actions">
                        <button onClick={() => setCorrecting({ reading: r, kind: "value" })}>Correct value<span className="visually-hidden"> of {r.name}</span></button>
                        <button onClick={() => setCorrecting({ reading: r, kind: "error" })}>Entered in error<span className="visually-hidden">: {r.name}</span></button>
                      </span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <More pages={pages} label="readings" />
      {correcting && (
        <Correction key={correcting.reading.readingId + correcting.kind} {...correcting}
          save={(body) => client.PATCH("/admin/patients/{userId}/biomarkers/{readingId}",
            { path: { userId, readingId: correcting.reading.readingId }, body })}
          onDone={(updated) => { pages.replace((r) => r.readingId === updated.readingId, updated); setCorrecting(null); onChanged(); }}
          onCancel={() => setCorrecting(null)} onError={onError} />
      )}
    </section>
  );
}

function Correction({ reading, kind, save, onDone, onCancel, onError }: {
  reading: Reading; kind: "value" | "error"; save: (body: ReadingCorrection) => Promise<Reading>;
  onDone: (r: Reading) => void; onCancel: () => void; onError: (e: unknown) => void;
}) {
  const [value, setValue] = useState(String(reading.value));
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      onDone(await save(kind === "value" ? { value: Number(value), reason: reason.trim() } : { status: "entered-in-error", reason: reason.trim() }));
    } catch (e) {
      setError(explain(e, "This reading was withdrawn already: it can no longer be corrected."));
      onError(e);
    }
  }
  return (
    <form className="inline-form" data-testid="correction" onSubmit={submit}
      aria-label={kind === "value" ? `Correct the value of ${reading.name}` : `Mark ${reading.name} as entered in error`}>
      {/* Below the list: the first field takes the focus, which brings the form into view. */}
      <p>{kind === "value" ? "Correct" : "Withdraw"} {reading.name}, {reading.value} {reading.unit} on {formatTime(reading.recordedAt)}</p>
      {kind === "value" && (
        <label>Correct value ({reading.unit})
          <input type="number" step="any" required autoFocus value={value} onChange={(e) => setValue(e.target.value)} />
        </label>
      )}
      <label>Reason
        <input required autoFocus={kind === "error"} value={reason} onChange={(e) => setReason(e.target.value)} />
      </label>
      <button type="submit">{kind === "value" ? "Save correction" : "Mark as entered in error"}</button>
      <button type="button" onClick={onCancel}>Cancel</button>
      {error && <p role="alert" className="error">{error}</p>}
    </form>
  );
}

/** Whatever the browser's zone, a datetime-local value is the staff member's wall-clock time. */
const nowLocal = () => {
  const d = new Date(Date.now() - new Date().getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
};

/** POST /admin/patients/{userId}/biomarkers: one lab result; the API answers per reading. */
function LabEntry({ client, onError, userId, onRecorded }: StaffPanelProps & { userId: string; onRecorded: () => void }) {
  const empty = { name: "", value: "", unit: "", category: "", status: "", at: nowLocal() };
  const [form, setForm] = useState(empty);
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  // The result's id at its source (this form): kept until it is stored, so sending the same
  // result again after a lost answer is a duplicate the API recognises, not a second reading.
  const [sourceId, setSourceId] = useState(() => crypto.randomUUID());
  const field = (key: keyof typeof empty) => ({
    value: form[key], onChange: (e: { target: { value: string } }) => setForm((f) => ({ ...f, [key]: e.target.value })),
  });
  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setNotice(null);
    try {
      const { results } = await client.POST("/admin/patients/{userId}/biomarkers", { path: { userId }, body: { readings: [{
        name: form.name.trim(), value: Number(form.value), unit: form.unit.trim(), recordedAt: new Date(form.at).getTime(),
        category: form.category || undefined, status: (form.status || undefined) as Status | undefined,
        sourceReadingId: `workspace:${sourceId}`,
      }] } });
      const outcome = results[0]?.outcome;
      const stored = outcome === "accepted" || outcome === "duplicate";
      setNotice(stored
        ? { ok: true, text: `${form.name.trim()} recorded.` }
        : { ok: false, text: `${form.name.trim()} may not have been recorded. Please send it again.` });
      if (stored) { setForm({ ...empty, at: nowLocal() }); setSourceId(crypto.randomUUID()); onRecorded(); }
    } catch (e) {
      setNotice({ ok: false, text: explain(e) });
      onError(e);
    } finally {
      setBusy(false);
    }
  }
  return (
    <details className="request" data-testid="lab-entry">
      <summary>Record a lab result</summary>
      <form className="inline-form" onSubmit={submit}>
        <label>Biomarker <input required maxLength={64} {...field("name")} /></label>
        <label>Value <input type="number" step="any" required {...field("value")} /></label>
        <label>Unit <input required maxLength={16} {...field("unit")} /></label>
        <label>Taken at <input type="datetime-local" required {...field("at")} /></label>
        <label>Category
          <select {...field("category")}><option value="">from the catalog</option>{CATEGORIES.map((c) => <option key={c}>{c}</option>)}</select>
        </label>
        <label>Status
          <select {...field("status")}><option value="">from the catalog</option>{STATUSES.map((s) => <option key={s.value} value={s.value}>{s.label}</option>)}</select>
        </label>
        <button type="submit" disabled={busy}>Record</button>
      </form>
      <p className="muted">Category and status are needed only for a biomarker outside the catalog.</p>
      {notice && <p role={notice.ok ? "status" : "alert"} className={notice.ok ? "ok" : "error"}>{notice.text}</p>}
    </details>
  );
}
