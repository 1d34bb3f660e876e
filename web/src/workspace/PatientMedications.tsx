import { type FormEvent, useState } from "react";
import type { Schemas } from "../api/client";
import { explain } from "../panels/explain";
import { More, usePages } from "./usePages";
import type { StaffPanelProps } from "./Workspace";

type Medication = Schemas["Medication"];
type Fields = { name: string; dose: string; refills: string; active: boolean };

const fieldsOf = (m?: Medication): Fields =>
  ({ name: m?.name ?? "", dose: m?.dose ?? "", refills: String(m?.refills ?? 0), active: m?.active ?? true });

/** The patient's medications: edit one (name, dose, refills, active) or prescribe a new one. */
export function PatientMedications({ client, onError, userId }: StaffPanelProps & { userId: string }) {
  const pages = usePages((cursor) => client.GET("/admin/patients/{userId}/medications",
    { path: { userId }, query: { limit: 20, cursor } }), [client, userId], onError);
  const [editing, setEditing] = useState<string | null>(null);
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);

  async function save(fields: Fields, medication?: Medication) {
    const body = { name: fields.name.trim(), dose: fields.dose.trim(), refills: Number(fields.refills), active: fields.active };
    try {
      if (medication) {
        const { medicationId } = medication;
        const changed = await client.PATCH("/admin/patients/{userId}/medications/{medicationId}", { path: { userId, medicationId }, body });
        pages.replace((m) => m.medicationId === medicationId, changed);
        setNotice({ ok: true, text: `${changed.name} saved.` });
      } else {
        const created = await client.POST("/admin/patients/{userId}/medications", { path: { userId }, body });
        pages.reload();
        setNotice({ ok: true, text: `${created.name} prescribed.` });
      }
      setEditing(null);
    } catch (e) {
      setNotice({ ok: false, text: explain(e, "Someone changed this medication meanwhile. The list has been refreshed: please edit again.") });
      onError(e);
      pages.reload();
    }
  }

  return (
    <section className="card" data-testid="patient-medications" aria-labelledby="patient-medications-title">
      <div className="toolbar">
        <h2 id="patient-medications-title">Medications</h2>
        <button aria-expanded={editing === "new"} onClick={() => setEditing(editing === "new" ? null : "new")}>Prescribe</button>
      </div>
      {editing === "new" && <MedicationForm label="Save prescription" initial={fieldsOf()} onSave={(f) => save(f)} onCancel={() => setEditing(null)} />}
      {notice && <p role={notice.ok ? "status" : "alert"} className={notice.ok ? "ok" : "error"}>{notice.text}</p>}
      {pages.error && <p role="alert" className="error">{pages.error}</p>}
      {!pages.loading && pages.items.length === 0 && <p className="muted">No medications.</p>}
      <ul className="list">
        {pages.items.map((m) => (
          <li key={m.medicationId} data-medication={m.medicationId}>
            <strong>{m.name}</strong>
            <span className="muted">{m.dose} · {m.refills} refills{m.active ? "" : " · inactive"}</span>
            {editing === m.medicationId
              ? <MedicationForm label="Save" initial={fieldsOf(m)} onSave={(f) => save(f, m)} onCancel={() => setEditing(null)} />
              : <button onClick={() => setEditing(m.medicationId)}>Edit<span className="visually-hidden"> {m.name}</span></button>}
          </li>
        ))}
      </ul>
      <More pages={pages} label="medications" />
    </section>
  );
}

function MedicationForm({ label, initial, onSave, onCancel }: {
  label: string; initial: Fields; onSave: (f: Fields) => Promise<void>; onCancel: () => void;
}) {
  const [fields, setFields] = useState(initial);
  const [busy, setBusy] = useState(false);
  const set = (key: "name" | "dose" | "refills") => ({
    value: fields[key], onChange: (e: { target: { value: string } }) => setFields((f) => ({ ...f, [key]: e.target.value })),
  });
  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    await onSave(fields);
    setBusy(false);
  }
  return (
    <form className="inline-form" data-testid="medication-form" onSubmit={submit}>
      <label>Name <input required maxLength={120} {...set("name")} /></label>
      <label>Dose <input required maxLength={120} {...set("dose")} /></label>
      <label>Refills <input type="number" min={0} max={12} step={1} required {...set("refills")} /></label>
      <label className="check"><input type="checkbox" checked={fields.active}
        onChange={(e) => setFields((f) => ({ ...f, active: e.target.checked }))} /> Active</label>
      <button type="submit" disabled={busy}>{label}</button>
      <button type="button" onClick={onCancel}>Cancel</button>
    </form>
  );
}
