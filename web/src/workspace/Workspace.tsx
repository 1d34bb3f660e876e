// The clinic staff's workspace: find a patient and work on their record, the refill queue, and
// the audit log. Loaded on demand (./index.tsx) for a staff token only.
import { useCallback, useMemo, useState } from "react";
import { ApiError, createClient, type Schemas } from "../api/client";
import { useSession } from "../auth";
import type { RuntimeConfig } from "../config";
import { explain } from "../panels/explain";
import { AuditLog, type AuditScope } from "./AuditLog";
import { PatientPage } from "./PatientPage";
import { PatientSearch } from "./PatientSearch";
import { RefillQueue } from "./RefillQueue";

const VIEWS = [["patients", "Patients"], ["refills", "Refill requests"], ["audit", "Audit log"]] as const;
type View = (typeof VIEWS)[number][0];

export default function Workspace({ config }: { config: RuntimeConfig }) {
  // The session refreshes itself; every request asks it for the current ID token.
  const { claims, getIdToken, signOut } = useSession();
  const client = useMemo(() => createClient({ baseUrl: config.apiBaseUrl, token: getIdToken }), [config, getIdToken]);
  // An expired or refused token ends the session instead of showing every panel's 401.
  const onError = useCallback((error: unknown) => {
    if (error instanceof ApiError && error.status === 401) void signOut();
  }, [signOut]);
  const [view, setView] = useState<View>("patients");
  const [patient, setPatient] = useState<Schemas["User"] | null>(null);
  const who = claims as { sub?: string; name?: string; email?: string } | null;
  const [openError, setOpenError] = useState<string | null>(null);
  async function openPatient(userId: string) {
    setOpenError(null);
    try {
      setPatient(await client.GET("/admin/patients/{userId}", { path: { userId } }));
      setView("patients");
    } catch (e) {
      setOpenError(explain(e));
      onError(e);
    }
  }
  // The audit log opens on the staff member's own actions, or on a patient's records from their page.
  const [auditScope, setAuditScope] = useState<AuditScope>({ actorId: who?.sub ?? "" });
  const panel = { client, onError };
  return (
    <main className="workspace" data-testid="workspace">
      <header>
        <h1>Clinic workspace</h1>
        <span className="who" data-testid="who">{who?.name ?? who?.email ?? "signed in"}</span>
        <button onClick={() => void signOut()}>Sign out</button>
        <button onClick={() => void signOut({ everywhere: true })}>Sign out everywhere</button>
      </header>
      <nav className="tabs" aria-label="Workspace">
        {VIEWS.map(([key, label]) => (
          <button key={key} aria-pressed={view === key} onClick={() => { setView(key); setPatient(null); setOpenError(null); if (key === "audit") setAuditScope({ actorId: who?.sub ?? "" }); }}>{label}</button>
        ))}
      </nav>
      {view === "patients" && !patient && <PatientSearch {...panel} onOpen={setPatient} />}
      {view === "patients" && patient && <PatientPage {...panel} patient={patient} onBack={() => setPatient(null)}
        onAudit={() => { setAuditScope({ patientId: patient.userId }); setView("audit"); setPatient(null); }} />}
      {openError && <p role="alert" className="error">{openError}</p>}
      {view === "refills" && <RefillQueue {...panel} onOpenPatient={(userId) => void openPatient(userId)} />}
      {view === "audit" && <AuditLog key={auditScope.patientId ?? auditScope.actorId} {...panel} scope={auditScope} onScope={setAuditScope} />}
    </main>
  );
}

/** What every workspace panel is given: the API client and where errors go (a 401 ends the session). */
export interface StaffPanelProps { client: ReturnType<typeof createClient>; onError: (e: unknown) => void }
