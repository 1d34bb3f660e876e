import { useState } from "react";
import type { Schemas } from "../api/client";
import { explain } from "./explain";
import { formatTime, type PanelProps, useFetched } from "./useFetched";

type Medication = Schemas["Medication"];
type RefillRequest = Schemas["RefillRequest"];

/** A refill can be asked for only while the prescription is active and has refills left. */
export const canRefill = (m: Medication) => m.active && m.refills > 0;

/** Each medication's latest refill request among the newest page of them (listed newest first). */
export function latestRequests(items: RefillRequest[]): Record<string, RefillRequest> {
  const latest: Record<string, RefillRequest> = {};
  for (const r of items) latest[r.medicationId] ??= r;
  return latest;
}

/** What the patient is told of a request: waiting, or the clinic's decision with its note. */
export function requestText(r: RefillRequest): string {
  if (r.status === "pending") return `Refill requested ${formatTime(r.requestedAt)}: waiting for the clinic.`;
  const when = r.decidedAt ? ` ${formatTime(r.decidedAt)}` : "";
  const note = r.note ? `: ${r.note}` : ".";
  return `Refill ${r.status === "approved" ? "approved" : "denied"}${when}${note}`;
}

export function Medications({ client, version, onError, onChanged }: PanelProps & { onChanged: () => void }) {
  const { data, error } = useFetched(() => client.GET("/medications", { query: { limit: 20 } }), [client, version], onError);
  // Requests change with the medications (a decision writes both), so the same version refetches them.
  const requests = useFetched(() => client.GET("/refill-requests", { query: { limit: 20 } }), [client, version], onError);
  const latest = latestRequests(requests.data?.items ?? []);
  // A refusal of a request asked for on this page, kept across refetches.
  const [refusals, setRefusals] = useState<Record<string, string>>({});
  const [asking, setAsking] = useState<string | null>(null);

  async function refill(medicationId: string) {
    setAsking(medicationId);
    try {
      await client.POST("/medications/{medicationId}/refill-requests", { path: { medicationId } });
      setRefusals(({ [medicationId]: _, ...rest }) => rest);
      onChanged();
    } catch (e) {
      setRefusals((n) => ({ ...n, [medicationId]:
        explain(e, "No refill request is possible: one is already waiting, none are left, or the prescription is no longer active. Ask the clinic.") }));
      onError(e);
    } finally {
      setAsking(null);
    }
  }

  return (
    <section className="card" data-testid="medications" aria-labelledby="medications-title">
      <h2 id="medications-title">Medications</h2>
      {error && <p role="alert" className="error">{error}</p>}
      {data && data.items.length === 0 && <p className="muted">No medications.</p>}
      <ul className="list">
        {data?.items.map((m) => {
          const request = latest[m.medicationId];
          const waiting = request?.status === "pending";
          const refusal = refusals[m.medicationId];
          return (
            <li key={m.medicationId} data-medication={m.medicationId} data-refill-status={request?.status ?? "none"}>
              <strong>{m.name}</strong>
              <span className="muted">{m.dose} · {m.refills} refills{m.active ? "" : " · inactive"}</span>
              {canRefill(m) && !waiting && (
                <button disabled={asking === m.medicationId} onClick={() => void refill(m.medicationId)}>
                  Request refill<span className="visually-hidden"> of {m.name}</span>
                </button>
              )}
              {!canRefill(m) && !request && !refusal && (
                <span className="muted">{m.active ? "No refills left: ask the clinic." : "Not active."}</span>
              )}
              {request && (
                <p role="status" className={request.status === "denied" ? "error" : "ok"} data-testid="refill-request">
                  {requestText(request)}
                </p>
              )}
              {refusal && <p role="alert" className="error">{refusal}</p>}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
