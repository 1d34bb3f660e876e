import type { Schemas } from "../api/client";
import { Pager, useCursors } from "./Pager";
import { formatTime, type PanelProps, useFetched } from "./useFetched";

type Entry = Schemas["AccessLogEntry"];

const ACTIONS: Record<string, string> = {
  read: "viewed", create: "added to", update: "changed", "role-change": "changed the role of", export: "exported",
  "sign-in": "signed in to",
};
const KINDS: Record<string, string> = {
  biomarkers: "your biomarkers", appointments: "your appointments", medications: "your medications",
  profile: "your profile", identifiers: "your record numbers", role: "your account", export: "your records",
  session: "your account", other: "your records",
};

/** "Dr. Reyes (clinic staff) viewed your biomarkers": who, in what role, did what to which kind of record. */
export function describe(entry: Entry): string {
  const who = entry.actor.role === "admin" ? `${entry.actor.name} (clinic staff)` : entry.actor.name;
  return `${who} ${ACTIONS[entry.action] ?? entry.action} ${KINDS[entry.recordKind] ?? "your records"}`;
}

/** "Who looked at my record": the caller's access log, newest first, a page at a time. */
export function AccessLog({ client, version, onError }: PanelProps) {
  const cursors = useCursors();
  const { data, error, loading } = useFetched(
    () => client.GET("/me/access-log", { query: { limit: 10, cursor: cursors.cursor } }),
    [client, version, cursors.cursor], onError);
  return (
    <section className="card" data-testid="access-log" aria-labelledby="access-log-title">
      <h2 id="access-log-title">Who looked at my record</h2>
      {error && <p role="alert" className="error">{error}</p>}
      {data && data.items.length === 0 && <p className="muted">No one has looked at your record yet.</p>}
      <ul className="list">
        {data?.items.map((entry, i) => (
          <li key={`${entry.at}-${i}`} data-record-kind={entry.recordKind}>
            <span>{describe(entry)}</span>
            <span className="muted when">{formatTime(entry.at)}{entry.reason ? ` · Reason: ${entry.reason}` : ""}</span>
          </li>
        ))}
      </ul>
      <Pager cursors={cursors} nextCursor={data?.nextCursor} loading={loading} />
    </section>
  );
}
