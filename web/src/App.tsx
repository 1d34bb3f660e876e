import { useCallback, useEffect, useMemo, useState } from "react";
import { ApiError, createClient } from "./api/client";
import { AuthProvider, useSession } from "./auth";
import { TotpSetup } from "./auth/TotpSetup";
import type { RuntimeConfig } from "./config";
import { connectLive, type LiveState, type Topic } from "./live";
import type { ReadingFilter } from "./biomarkers/filters";
import { AccessLog } from "./panels/AccessLog";
import { Appointments } from "./panels/appointments/Appointments";
import { Medications } from "./panels/Medications";
import { Readings } from "./panels/Readings";
import { ReminderSwitch } from "./panels/ReminderSwitch";
import { StatsWidget } from "./panels/StatsWidget";
import { TrendPanel } from "./panels/trend/TrendPanel";
import { SignIn } from "./SignIn";
import { isStaff, StaffWorkspace } from "./workspace";

export type Versions = Record<Topic, number>;

export function App({ config }: { config: RuntimeConfig }) {
  return <AuthProvider config={config}><Page config={config} /></AuthProvider>;
}

function Page({ config }: { config: RuntimeConfig }) {
  const { status, claims } = useSession();
  if (status === "loading") return null; // a hosted-UI return is being finished
  if (status !== "signedIn") return <SignIn config={config} />;
  return isStaff(claims) ? <StaffWorkspace config={config} /> : <Dashboard config={config} />;
}

function Dashboard({ config }: { config: RuntimeConfig }) {
  // The session refreshes itself; every request and every (re)connection of the live socket
  // asks it for the current ID token, so neither outlives a refresh with a stale one.
  const { claims, getIdToken, signOut } = useSession();
  const client = useMemo(() => createClient({ baseUrl: config.apiBaseUrl, token: getIdToken }), [config, getIdToken]);
  // One counter per topic: a panel refetches when its topic's counter moves.
  const [versions, setVersions] = useState<Versions>({ stats: 0, appointments: 0, medications: 0 });
  const [live, setLive] = useState<LiveState>("off");
  const bump = useCallback((topic: Topic) => setVersions((v) => ({ ...v, [topic]: v[topic] + 1 })), []);
  useEffect(() => (config.webSocketUrl ? connectLive(config.webSocketUrl, getIdToken, bump, setLive) : undefined),
    [config.webSocketUrl, getIdToken, bump]);
  // An expired or refused token ends the session instead of showing every panel's 401.
  const onError = useCallback((error: unknown) => {
    if (error instanceof ApiError && error.status === 401) void signOut();
  }, [signOut]);
  // The readings' filter (set by its selects or by a count of the stats widget) and the biomarker
  // whose trend is open.
  const [filter, setFilter] = useState<ReadingFilter>({});
  const [chosen, setChosen] = useState<string | null>(null);
  const showStatus = useCallback((status: ReadingFilter["status"]) => {
    setFilter({ status });
    requestAnimationFrame(() => document.getElementById("readings-title")?.focus());
  }, []);
  const who = String(claims?.name ?? claims?.email ?? "signed in");
  return (
    <main>
      <header>
        <h1>Clinic dashboard</h1>
        <span className="who" data-testid="who">{who}</span>
        <span className={`live live-${live}`} data-testid="live" title="live updates">{live === "open" ? "live" : live}</span>
        <TotpSetup config={config} onDone={() => void signOut()} />
        <button onClick={() => void signOut()}>Sign out</button>
        <button onClick={() => void signOut({ everywhere: true })}>Sign out everywhere</button>
      </header>
      <div className="grid">
        <Appointments client={client} version={versions.appointments} onError={onError} onChanged={() => bump("appointments")} />
        <StatsWidget client={client} version={versions.stats} onError={onError} onShow={showStatus} />
        <Medications client={client} version={versions.medications} onError={onError} onChanged={() => bump("medications")} />
        <Readings client={client} version={versions.stats} onError={onError}
          filter={filter} onFilter={setFilter} onChoose={setChosen} />
        {chosen && <TrendPanel client={client} version={versions.stats} onError={onError} name={chosen} onClose={() => setChosen(null)} />}
        <ReminderSwitch client={client} version={0} onError={onError} />
        <AccessLog client={client} version={0} onError={onError} />
      </div>
    </main>
  );
}
