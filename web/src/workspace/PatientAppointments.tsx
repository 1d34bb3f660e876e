import { useState } from "react";
import type { Schemas } from "../api/client";
import { clinicLocal } from "../panels/appointments/when";
import { explain } from "../panels/explain";
import { ACTION_LABELS, staffActions } from "./actions";
import { More, usePages } from "./usePages";
import type { StaffPanelProps } from "./Workspace";

type When = Schemas["When"];

/** The patient's appointments, upcoming (soonest first) or past (latest first), with what staff
 * may do to each. */
export function PatientAppointments({ client, onError, userId }: StaffPanelProps & { userId: string }) {
  const [when, setWhen] = useState<When>("upcoming");
  const pages = usePages((cursor) => client.GET("/admin/patients/{userId}/appointments",
    { path: { userId }, query: { when, limit: 20, cursor } }), [client, userId, when], onError);
  const [notices, setNotices] = useState<Record<string, { ok: boolean; text: string }>>({});
  const [pending, setPending] = useState<string | null>(null);

  async function act(appointment: Schemas["Appointment"], action: Schemas["StaffAction"]) {
    const { appointmentId } = appointment;
    setPending(appointmentId);
    try {
      const changed = await client.PATCH("/admin/patients/{userId}/appointments/{appointmentId}",
        { path: { userId, appointmentId }, body: { action } });
      pages.replace((a) => a.appointmentId === appointmentId, changed);
      setNotices((n) => ({ ...n, [appointmentId]: { ok: true, text: `Now ${changed.status.replace("-", " ")}.` } }));
    } catch (e) {
      setNotices((n) => ({ ...n, [appointmentId]: { ok: false,
        text: explain(e, "This appointment was changed meanwhile or its time does not allow this. The list has been refreshed.") } }));
      onError(e);
      pages.reload();
    } finally {
      setPending(null);
    }
  }

  const now = Date.now();
  return (
    <section className="card" data-testid="patient-appointments" aria-labelledby="patient-appointments-title">
      <div className="toolbar">
        <h2 id="patient-appointments-title">Appointments</h2>
        {(["upcoming", "past"] as const).map((w) => (
          <button key={w} aria-pressed={when === w} onClick={() => setWhen(w)}>{w === "upcoming" ? "Upcoming" : "Past"}</button>
        ))}
      </div>
      {pages.error && <p role="alert" className="error">{pages.error}</p>}
      {!pages.loading && pages.items.length === 0 && <p className="muted">No {when} appointments.</p>}
      <ul className="list">
        {pages.items.map((a) => {
          const notice = notices[a.appointmentId];
          return (
            <li key={a.appointmentId} data-appointment={a.appointmentId}>
              <strong>{a.title}</strong>
              <span className="when">{clinicLocal(a.date)}</span>
              <span className={`muted status-${a.status}`} data-testid="appointment-status">{a.status.replace("-", " ")} · {a.type}</span>
              <span className="actions">
                {staffActions(a, now).map((action) => (
                  <button key={action} disabled={pending === a.appointmentId} onClick={() => void act(a, action)}>
                    {ACTION_LABELS[action]}<span className="visually-hidden">: {a.title}, {clinicLocal(a.date)}</span>
                  </button>
                ))}
              </span>
              {notice && <p role={notice.ok ? "status" : "alert"} className={notice.ok ? "ok" : "error"}>{notice.text}</p>}
            </li>
          );
        })}
      </ul>
      <More pages={pages} label="appointments" />
    </section>
  );
}
