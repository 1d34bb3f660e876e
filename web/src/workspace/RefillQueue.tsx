import { useState } from "react";
import type { Schemas } from "../api/client";
import { explain } from "../panels/explain";
import { formatTime } from "../panels/useFetched";
import { More, usePages } from "./usePages";
import type { StaffPanelProps } from "./Workspace";

type RefillRequest = Schemas["StaffRefillRequest"];

/** Patients' refill requests waiting for a decision, oldest first: approve or deny, with a note. */
export function RefillQueue({ client, onError, onOpenPatient }: StaffPanelProps & { onOpenPatient: (userId: string) => void }) {
  const pages = usePages<RefillRequest>((cursor) => client.GET("/admin/refill-requests",
    { query: { status: "pending", limit: 20, cursor } }), [client], onError);
  const [notes, setNotes] = useState<Record<string, string>>({});
  const [outcomes, setOutcomes] = useState<Record<string, { ok: boolean; text: string }>>({});
  const [pending, setPending] = useState<string | null>(null);

  async function decide(request: RefillRequest, decision: "approved" | "denied") {
    const { requestId } = request;
    setPending(requestId);
    const note = notes[requestId]?.trim();
    try {
      const decided = await client.PATCH("/admin/refill-requests/{requestId}",
        { path: { requestId }, body: { decision, ...(note ? { note } : {}) } });
      pages.replace((r) => r.requestId === requestId, decided);
      setOutcomes((o) => ({ ...o, [requestId]: { ok: true, text: `${decided.status === "approved" ? "Approved" : "Denied"}.` } }));
    } catch (e) {
      setOutcomes((o) => ({ ...o, [requestId]: { ok: false,
        text: explain(e, "This request was decided already, or the prescription has no refills left.") } }));
      onError(e);
    } finally {
      setPending(null);
    }
  }

  return (
    <section className="card" data-testid="refill-queue" aria-labelledby="refills-title">
      <h2 id="refills-title">Refill requests</h2>
      <p className="muted">Waiting for a decision, oldest first.</p>
      {pages.error && <p role="alert" className="error">{pages.error}</p>}
      {!pages.loading && !pages.error && pages.items.length === 0 && <p role="status">No refill request is waiting.</p>}
      <ul className="list">
        {pages.items.map((r) => {
          const outcome = outcomes[r.requestId];
          return (
            <li key={r.requestId} data-request={r.requestId}>
              <strong>{r.medicationName}</strong>
              <span className="muted">asked {formatTime(r.requestedAt)} · {r.status}</span>
              <button className="link" onClick={() => onOpenPatient(r.userId)}>Open the patient's record<span className="visually-hidden">: {r.medicationName}</span></button>
              {r.status === "pending" && (
                <span className="actions">
                  <label>Note <input maxLength={500} value={notes[r.requestId] ?? ""}
                    onChange={(e) => setNotes((n) => ({ ...n, [r.requestId]: e.target.value }))} /></label>
                  <button disabled={pending === r.requestId} onClick={() => void decide(r, "approved")}>
                    Approve<span className="visually-hidden"> {r.medicationName}</span></button>
                  <button disabled={pending === r.requestId} onClick={() => void decide(r, "denied")}>
                    Deny<span className="visually-hidden"> {r.medicationName}</span></button>
                </span>
              )}
              {outcome && <p role={outcome.ok ? "status" : "alert"} className={outcome.ok ? "ok" : "error"}>{outcome.text}</p>}
            </li>
          );
        })}
      </ul>
      <More pages={pages} label="refill requests" />
    </section>
  );
}
