import { useEffect, useState, type FormEvent } from "react";
import { adoptTokens, useSession } from "./auth";
import { SignInMethods } from "./auth/SignInMethods";
import type { RuntimeConfig } from "./config";

interface DemoAccount { email: string; name: string; role: string }

// The real ways in (web/src/auth); locally also the runner's demo accounts (a session in one
// click, as `make token` gives a token); anywhere, a pasted ID token (until it expires).
export function SignIn({ config }: { config: RuntimeConfig }) {
  const session = useSession();
  const [accounts, setAccounts] = useState<DemoAccount[]>([]);
  const [pasted, setPasted] = useState("");
  const [error, setError] = useState<string | null>(session.error);

  useEffect(() => {
    if (!config.demoSignIn) return;
    fetch(`${config.apiBaseUrl}/local/auth/demo-accounts`)
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`HTTP ${r.status}`))))
      .then((body: { accounts: DemoAccount[] }) => setAccounts(body.accounts))
      .catch(() => setError("The demo accounts could not be loaded."));
  }, [config]);

  async function demo(email: string) {
    setError(null);
    const response = await fetch(`${config.apiBaseUrl}/local/auth/demo-sign-in`, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ email }),
    }).catch(() => null);
    const body = (await response?.json().catch(() => null)) as
      { idToken?: string; accessToken?: string; refreshToken?: string; error?: { message: string } } | null;
    if (response?.ok && body?.idToken) session.signedIn(adoptTokens({ ...body, idToken: body.idToken }));
    else setError(body?.error?.message ?? "Sign-in failed.");
  }

  function paste(event: FormEvent) {
    event.preventDefault();
    const token = pasted.trim();
    try {
      if (token.split(".").length !== 3) throw new Error("not a JWT");
      session.signedIn(adoptTokens({ idToken: token }));
    } catch {
      setError("That is not an ID token (three dot-separated parts, the middle one its claims).");
    }
  }

  return (
    <main className="sign-in">
      <h1>Clinic dashboard</h1>
      <SignInMethods config={config} onSignedIn={session.signedIn} />
      {accounts.length > 0 && (
        <section>
          <h2>Demo accounts (local only)</h2>
          <ul className="accounts">
            {accounts.map((a) => (
              <li key={a.email}>
                <button onClick={() => demo(a.email)} data-email={a.email}>{a.name}</button>
                <span className="muted">{a.role} · {a.email}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
      <section>
        <h2>Paste an ID token</h2>
        <form onSubmit={paste}>
          <textarea aria-label="ID token" value={pasted} onChange={(e) => setPasted(e.target.value)} rows={3} />
          <button type="submit">Sign in</button>
        </form>
      </section>
      {error && <p role="alert" className="error">{error}</p>}
    </main>
  );
}
