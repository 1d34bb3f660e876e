import { useState } from "react";
import type { Schemas } from "../api/client";
import { explain } from "./explain";
import { formatTime, type PanelProps, useFetched } from "./useFetched";

type Medication = Schemas["Medication"];

/** A refill can be asked for only while the prescription is active and has refills left. */
export const canRefill = (m: Medication) => m.active && m.refills > 0;

export function Medications({ client, version, onError, onChanged }: PanelProps & { onChanged: () => void }) {
  const { data, error } = useFetched(() => client.GET("/medications", { query: { limit: 20 } }), [client, version], onError);
  // The outcome of each refill asked for on this page, kept across refetches.
  const [notices, setNotices] = useState<Record<string, { ok: boolean; text: string }>>({});
  const [pending, setPending] = useState<string | null>(null);

  async function refill(medicationId: string) {
    setPending(medicationId);
    try {
      const done = await client.POST("/medications/{medicationId}/refill-requests", { path: { medicationId } });
      setNotices((n) => ({ ...n, [medicationId]: { ok: true,
        text: `Refill requested ${formatTime(done.requestedAt)}; ${done.refillsRemaining} left.` } }));
      onChanged();
    } catch (e) {
      setNotices((n) => ({ ...n, [medicationId]: { ok: false,
        text: explain(e, "No refill is possible: none are left, or the prescription is no longer active. Ask the clinic.") } }));
      onError(e);
    } finally {
      setPending(null);
    }
  }

  return (
    <section className="card" data-testid="medications" aria-labelledby="medications-title">
      <h2 id="medications-title">Medications</h2>
      {error && <p role="alert" className="error">{error}</p>}
      {data && data.items.length === 0 && <p className="muted">No medications.</p>}
      <ul className="list">
        {data?.items.map((m) => {
          const notice = notices[m.medicationId];
          return (
            <li key={m.medicationId} data-medication={m.medicationId}>
              <strong>{m.name}</strong>
              <span className="muted">{m.dose} · {m.refills} refills{m.active ? "" : " · inactive"}</span>
              {canRefill(m) && (
                <button disabled={pending === m.medicationId} onClick={() => void refill(m.medicationId)}>
                  Request refill<span className="visually-hidden"> of {m.name}</span>
                </button>
              )}
              {!canRefill(m) && !notice && (
                <span className="muted">{m.active ? "No refills left: ask the clinic." : "Not active."}</span>
              )}
              {notice && <p role={notice.ok ? "status" : "alert"} className={notice.ok ? "ok" : "error"}>{notice.text}</p>}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
