import { useState } from "react";
import { explain } from "../panels/explain";
import { useFetched } from "../panels/useFetched";
import type { StaffPanelProps } from "./Workspace";

/** Whether the patient's account may sign in, and disabling or enabling it
 * (PUT /admin/users/{userId}/access). Disabling asks once more: it ends the patient's access at
 * once (their open pages too) until a staff member enables the account again. */
export function PatientAccount({ client, onError, userId }: StaffPanelProps & { userId: string }) {
  const [version, setVersion] = useState(0);
  const profile = useFetched(() => client.GET("/admin/patients/{userId}", { path: { userId } }),
    [client, userId, version], onError);
  const [confirming, setConfirming] = useState(false);
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const enabled = profile.data?.enabled;

  async function change(to: boolean) {
    setConfirming(false);
    try {
      await client.PUT("/admin/users/{userId}/access", { path: { userId }, body: { enabled: to } });
      setNotice({ ok: true, text: to ? "Account enabled: the patient can sign in again." : "Account disabled: the patient is signed out everywhere." });
    } catch (e) {
      setNotice({ ok: false, text: explain(e, "The account changed meanwhile. It has been refreshed: please try again.") });
      onError(e);
    }
    setVersion((v) => v + 1);
  }

  return (
    <section className="card" data-testid="patient-account" aria-labelledby="patient-account-title">
      <h2 id="patient-account-title">Account</h2>
      {profile.error && <p role="alert" className="error">{profile.error}</p>}
      {enabled !== undefined && (
        <p data-testid="account-state">{enabled ? "Enabled: the patient can sign in." : "Disabled: the patient cannot sign in."}</p>
      )}
      {enabled === true && !confirming && <button onClick={() => setConfirming(true)}>Disable account</button>}
      {enabled === true && confirming && (
        <div className="inline-form" role="group" aria-label="Confirm disabling the account">
          <span>The patient loses access now, on every device.</span>
          <button onClick={() => change(false)}>Disable now</button>
          <button onClick={() => setConfirming(false)}>Keep enabled</button>
        </div>
      )}
      {enabled === false && <button onClick={() => change(true)}>Enable account</button>}
      {notice && <p role={notice.ok ? "status" : "alert"} className={notice.ok ? "ok" : "error"}>{notice.text}</p>}
    </section>
  );
}
