import { useState } from "react";
import type { Schemas } from "../../api/client";
import { Pager, useCursors } from "../Pager";
import { type PanelProps, useFetched } from "../useFetched";
import { AppointmentItem } from "./AppointmentItem";
import { RequestAppointment, TYPES } from "./RequestAppointment";

const PAGE = 5;
type When = "upcoming" | "past";

/** Upcoming appointments soonest first (the next one on top, set apart), past ones most recent
 * first one click away: both are the API's `when` filter, paged by its cursor. */
export function Appointments({ client, version, onError, onChanged }: PanelProps & { onChanged: () => void }) {
  const [when, setWhen] = useState<When>("upcoming");
  const [type, setType] = useState<Schemas["AppointmentType"] | "">("");
  const cursors = useCursors(`${when}|${type}`);
  const { cursor } = cursors;
  const { data, error, loading } = useFetched(
    () => client.GET("/appointments", { query: { when, type: type || undefined, limit: PAGE, cursor } }),
    [client, version, when, type, cursor], onError);

  const items = data?.items ?? [];
  // The first item of the first upcoming page is the next appointment.
  const next = when === "upcoming" && !cursors.hasPrevious ? items[0] : undefined;
  const rest = next ? items.slice(1) : items;
  return (
    <section className="card tall" data-testid="appointments" aria-labelledby="appointments-title">
      <h2 id="appointments-title">Appointments</h2>
      <div className="toolbar">
        <div className="tabs" role="group" aria-label="Which appointments">
          <button aria-pressed={when === "upcoming"} onClick={() => setWhen("upcoming")}>Upcoming</button>
          <button aria-pressed={when === "past"} onClick={() => setWhen("past")}>Past</button>
        </div>
        <label>Kind{" "}
          <select value={type} onChange={(e) => setType(e.target.value as typeof type)}>
            <option value="">all</option>
            {TYPES.map((t) => <option key={t} value={t}>{t}</option>)}
          </select>
        </label>
      </div>
      {error && <p role="alert" className="error">{error}</p>}
      {next && (
        <div className="next" data-testid="next-appointment">
          <h3>Next appointment</h3>
          <ul className="list"><AppointmentItem appointment={next} client={client} upcoming onChanged={onChanged} /></ul>
        </div>
      )}
      {data && items.length === 0 && <p className="muted">{when === "upcoming" ? "No upcoming appointments." : "No past appointments."}</p>}
      {rest.length > 0 && (
        <>
          {next && <h3>Later</h3>}
          <ul className="list" data-testid="appointment-list">
            {rest.map((a) => (
              <AppointmentItem key={a.appointmentId} appointment={a} client={client} upcoming={when === "upcoming"} onChanged={onChanged} />
            ))}
          </ul>
        </>
      )}
      <Pager cursors={cursors} nextCursor={data?.nextCursor} loading={loading} />
      <RequestAppointment client={client} onRequested={onChanged} />
    </section>
  );
}
