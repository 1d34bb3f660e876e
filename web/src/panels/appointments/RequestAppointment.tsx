import { useState, type FormEvent } from "react";
import type { Client, Schemas } from "../../api/client";
import { explain } from "../explain";
import { fromLocalInput } from "./when";

export const TYPES: Schemas["AppointmentType"][] = ["checkup", "lab", "consultation", "follow-up", "telehealth", "imaging", "vaccination"];

/** Ask the clinic for an appointment: it arrives as "requested" until the clinic confirms it. */
export function RequestAppointment({ client, onRequested }: { client: Client; onRequested: () => void }) {
  const [open, setOpen] = useState(false);
  const [type, setType] = useState<Schemas["AppointmentType"]>("checkup");
  const [when, setWhen] = useState("");
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const startTime = fromLocalInput(when);
    if (startTime === null) { setNotice({ ok: false, text: "Choose a date and time." }); return; }
    try {
      await client.POST("/appointments", { body: { type, startTime, durationMinutes: 30 } });
      setNotice({ ok: true, text: "Appointment requested: the clinic will confirm it." });
      setOpen(false);
      onRequested();
    } catch (e) {
      setNotice({ ok: false, text: explain(e) });
    }
  }

  return (
    <div className="request" data-testid="request-appointment">
      <button aria-expanded={open} onClick={() => setOpen(!open)}>Request an appointment</button>
      {open && (
        <form className="inline-form" onSubmit={submit}>
          <label>Kind
            <select value={type} onChange={(e) => setType(e.target.value as typeof type)}>
              {TYPES.map((t) => <option key={t} value={t}>{t}</option>)}
            </select>
          </label>
          <label>Date and time <input type="datetime-local" value={when} onChange={(e) => setWhen(e.target.value)} required /></label>
          <button type="submit">Send request</button>
        </form>
      )}
      {notice && <p role={notice.ok ? "status" : "alert"} className={notice.ok ? "ok" : "error"}>{notice.text}</p>}
    </div>
  );
}
