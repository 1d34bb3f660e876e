// Turning on an authenticator app (TOTP): required before a staff token carries the admin group,
// optional for patients. Afterwards every session ends and the next sign-in asks for a code.
import { type FormEvent, useState } from "react";
import { type AuthConfig, confirmTotp, setUpTotp } from "./auth";
import { tokenStore } from "./tokens";

export function TotpSetup({ config, onDone }: { config: AuthConfig; onDone: () => void }) {
  const [secret, setSecret] = useState<{ secret: string; uri: string } | null>(null);
  const [code, setCode] = useState("");
  const [error, setError] = useState<string | null>(null);
  if (!tokenStore.get()?.accessToken) return null; // not for a pasted ID token (no access token)

  async function start() {
    setError(null);
    setSecret(await setUpTotp(config).catch(() => null));
  }

  async function confirm(event: FormEvent) {
    event.preventDefault();
    try {
      await confirmTotp(config, code.trim());
      onDone();
    } catch {
      setError("That code was not accepted: check the app's clock and try the next code.");
    }
  }

  return (
    <details data-testid="totp-setup">
      <summary>Authenticator app</summary>
      {!secret ? (
        <button onClick={() => void start()}>Set up an authenticator app</button>
      ) : (
        <form onSubmit={confirm}>
          <p>Add this key to your authenticator app, then enter the code it shows.</p>
          <code data-testid="totp-secret">{secret.secret}</code>
          <input aria-label="Code from the app" inputMode="numeric" value={code} onChange={(e) => setCode(e.target.value)} />
          <button type="submit">Turn on</button>
        </form>
      )}
      {error && <p role="alert" className="error">{error}</p>}
    </details>
  );
}
