import { useState, type FormEvent } from "react";
import type { Client, Schemas } from "../../api/client";
import { explain } from "../explain";
import { clinicLocal, fromLocalInput, isOpen } from "./when";

type Appointment = Schemas["Appointment"];

/** One appointment: what, when (the clinic's local time), its status, and, while it is open and
 * ahead, Cancel and Reschedule (which asks the clinic for another time). */
export function AppointmentItem({ appointment: a, client, upcoming, onChanged }: {
  appointment: Appointment; client: Client; upcoming: boolean; onChanged: () => void;
}) {
  const [moving, setMoving] = useState(false);
  const [newTime, setNewTime] = useState("");
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);

  async function change(body: Schemas["AppointmentChange"], done: string) {
    try {
      await client.PATCH("/appointments/{appointmentId}", { path: { appointmentId: a.appointmentId }, body });
      setNotice({ ok: true, text: done });
      setMoving(false);
      onChanged();
    } catch (e) {
      setNotice({ ok: false, text: explain(e, "This appointment can no longer be changed: it has started, or it was already cancelled or completed.") });
    }
  }

  function reschedule(event: FormEvent) {
    event.preventDefault();
    const startTime = fromLocalInput(newTime);
    if (startTime === null) setNotice({ ok: false, text: "Choose a date and time." });
    else void change({ action: "reschedule", startTime }, "Reschedule requested: the clinic will confirm the new time.");
  }

  const titleId = `appointment-${a.appointmentId}`;
  return (
    <li data-appointment={a.appointmentId} aria-labelledby={titleId}>
      <strong id={titleId}>{a.title}</strong>
      <span className="when">{clinicLocal(a.date)}</span>
      <span className="muted">{a.type} · <span className={`status status-${a.status}`}>{a.status}</span></span>
      {upcoming && isOpen(a.status) && (
        <div className="actions">
          <button onClick={() => void change({ action: "cancel" }, "Appointment cancelled.")}>Cancel</button>
          <button aria-expanded={moving} onClick={() => setMoving(!moving)}>Reschedule</button>
        </div>
      )}
      {moving && (
        <form className="inline-form" onSubmit={reschedule}>
          <label>New date and time <input type="datetime-local" value={newTime} onChange={(e) => setNewTime(e.target.value)} required /></label>
          <button type="submit">Ask for this time</button>
        </form>
      )}
      {notice && <p role={notice.ok ? "status" : "alert"} className={notice.ok ? "ok" : "error"}>{notice.text}</p>}
    </li>
  );
}
