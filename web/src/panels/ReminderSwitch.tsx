import { useEffect, useState } from "react";
import { explain } from "./explain";
import { type PanelProps, useFetched } from "./useFetched";

/** The profile's appointment-reminder switch: GET /me says whether reminders are on (default),
 * PATCH /me {appointmentReminders} changes it. What the page shows is what the API answered. */
export function ReminderSwitch({ client, version, onError }: PanelProps) {
  const { data, error } = useFetched(() => client.GET("/me", {}), [client, version], onError);
  const [on, setOn] = useState<boolean | null>(null);
  const [saving, setSaving] = useState(false);
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  useEffect(() => { if (data) setOn(data.appointmentReminders); }, [data]);

  async function change(wanted: boolean) {
    const before = on;
    setOn(wanted); // shown at once; put back if the API refuses
    setSaving(true);
    try {
      const saved = await client.PATCH("/me", { body: { appointmentReminders: wanted } });
      setOn(saved.appointmentReminders);
      setNotice({ ok: true, text: saved.appointmentReminders ? "Reminders are on." : "Reminders are off." });
    } catch (e) {
      setOn(before);
      setNotice({ ok: false, text: explain(e, "The change was not saved. Try again.") });
      onError(e);
    } finally {
      setSaving(false);
    }
  }

  return (
    <section className="card" data-testid="profile" aria-labelledby="profile-title">
      <h2 id="profile-title">Profile</h2>
      {error && <p role="alert" className="error">{error}</p>}
      {data && <p className="muted">{data.name ?? data.email}</p>}
      <label className="switch">
        <input type="checkbox" data-testid="reminder-switch" checked={on ?? false} disabled={on === null || saving}
          onChange={(e) => void change(e.currentTarget.checked)} />
        Email me a reminder the day before each confirmed appointment
      </label>
      {notice && <p role={notice.ok ? "status" : "alert"} className={notice.ok ? "ok" : "error"}>{notice.text}</p>}
    </section>
  );
}
