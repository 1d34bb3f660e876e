import { useState } from "react";
import { describe, type PanelProps, useFetched } from "./useFetched";

export function Medications({ client, version, onError, onChanged }: PanelProps & { onChanged: () => void }) {
  const { data, error } = useFetched(() => client.GET("/medications", { query: { limit: 20 } }), [client, version], onError);
  const [notice, setNotice] = useState<{ id: string; text: string; ok: boolean } | null>(null);

  async function refill(medicationId: string) {
    try {
      const done = await client.POST("/medications/{medicationId}/refill-requests", { path: { medicationId } });
      setNotice({ id: medicationId, ok: true, text: `Refill requested; ${done.refillsRemaining} left.` });
      onChanged();
    } catch (e) {
      setNotice({ id: medicationId, ok: false, text: describe(e) });
      onError(e);
    }
  }

  return (
    <section className="card" data-testid="medications">
      <h2>Medications</h2>
      {error && <p role="alert" className="error">{error}</p>}
      {data && data.items.length === 0 && <p className="muted">No medications.</p>}
      <ul className="list">
        {data?.items.map((m) => (
          <li key={m.medicationId} data-medication={m.medicationId}>
            <strong>{m.name}</strong> <span className="muted">{m.dose} · {m.refills} refills{m.active ? "" : " · inactive"}</span>
            <button onClick={() => refill(m.medicationId)}>Request refill</button>
            {notice?.id === m.medicationId && (
              <p role={notice.ok ? "status" : "alert"} className={notice.ok ? "ok" : "error"}>{notice.text}</p>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
