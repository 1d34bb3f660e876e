import { useCallback, useEffect, useMemo, useState } from "react";
import { ApiError, createClient } from "./api/client";
import { currentIdToken, keepFresh, signOut as revokeSession } from "./auth/auth";
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
import { claimsOf, session } from "./session";
import { SignIn } from "./SignIn";

export type Versions = Record<Topic, number>;

export function App({ config }: { config: RuntimeConfig }) {
  const [token, setToken] = useState<string | null>(session.get);
  const signIn = useCallback((t: string) => { session.set(t); setToken(t); }, []);
  // Signing out revokes the session's refresh token too (when it came from a real sign-in).
  const signOut = useCallback(() => { void revokeSession(config); session.clear(); setToken(null); }, [config]);
  if (!token) return <SignIn config={config} onToken={signIn} />;
  return <Dashboard key={token} config={config} token={token} onSignOut={signOut} />;
}

function Dashboard({ config, token, onSignOut }: { config: RuntimeConfig; token: string; onSignOut: () => void }) {
  // The session is refreshed in the background; requests take the latest token (no remount).
  useEffect(() => keepFresh(config, onSignOut), [config, onSignOut]);
  const client = useMemo(() => createClient({ baseUrl: config.apiBaseUrl, token: () => currentIdToken() ?? token }),
    [config, token]);
  // One counter per topic: a panel refetches when its topic's counter moves.
  const [versions, setVersions] = useState<Versions>({ stats: 0, appointments: 0, medications: 0 });
  const [live, setLive] = useState<LiveState>("off");
  const bump = useCallback((topic: Topic) => setVersions((v) => ({ ...v, [topic]: v[topic] + 1 })), []);
  useEffect(() => (config.webSocketUrl ? connectLive(config.webSocketUrl, token, bump, setLive) : undefined),
    [config.webSocketUrl, token, bump]);
  // An expired or refused token ends the session instead of showing every panel's 401.
  const onError = useCallback((error: unknown) => {
    if (error instanceof ApiError && error.status === 401) onSignOut();
  }, [onSignOut]);
  // The readings' filter (set by its selects or by a count of the stats widget) and the biomarker
  // whose trend is open.
  const [filter, setFilter] = useState<ReadingFilter>({});
  const [chosen, setChosen] = useState<string | null>(null);
  const showStatus = useCallback((status: ReadingFilter["status"]) => {
    setFilter({ status });
    requestAnimationFrame(() => document.getElementById("readings-title")?.focus());
  }, []);
  const who = claimsOf(token);
  return (
    <main>
      <header>
        <h1>Clinic dashboard</h1>
        <span className="who" data-testid="who">{who?.name ?? who?.email ?? "signed in"}</span>
        <span className={`live live-${live}`} data-testid="live" title="live updates">{live === "open" ? "live" : live}</span>
        <TotpSetup config={config} onDone={onSignOut} />
        <button onClick={onSignOut}>Sign out</button>
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
