// The real ways in: an email link (the same "check your email" for every address), Google, and
// the authenticator app's code when the sign-in asks for it. Calls onSignedIn with the session's
// tokens. (A return from the hosted UI is finished by <AuthProvider>.)
import { type FormEvent, useEffect, useState } from "react";
import {
  answerTotp,
  type AuthConfig,
  completeEmailLink,
  LinkRefused,
  readEmailLink,
  type SignInStep,
  signInWithEmailLink,
  signInWithGoogle,
} from "./auth";
import type { Tokens } from "./tokens";

type Pending = SignInStep & { kind: "totp" };

export function SignInMethods({ config, onSignedIn }: { config: AuthConfig; onSignedIn: (tokens: Tokens) => void }) {
  const [email, setEmail] = useState("");
  const [sent, setSent] = useState(false);
  const [pending, setPending] = useState<Pending | null>(null);
  const [code, setCode] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const link = readEmailLink();
    if (!link) return;
    const done = (step: SignInStep) => (step.kind === "signedIn" ? onSignedIn(step.tokens) : setPending(step));
    setEmail(link.email);
    setBusy(true);
    completeEmailLink(config, link.email, link.token)
      .then(done)
      .catch((e: unknown) => setError(e instanceof LinkRefused ? e.message : "Sign-in failed: try again."))
      .finally(() => setBusy(false));
  }, [config, onSignedIn]);

  async function sendLink(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setBusy(true);
    try {
      await signInWithEmailLink(config, email.trim());
      setSent(true);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }

  async function sendCode(event: FormEvent) {
    event.preventDefault();
    if (!pending) return;
    try {
      onSignedIn(await answerTotp(config, pending, code.trim()));
    } catch {
      // The session is spent by a wrong code: the person starts again with a new link.
      setPending(null);
      setError("That code was not accepted. Ask for a new sign-in link and try again.");
    }
  }

  if (pending) {
    return (
      <section data-testid="totp">
        <h2>Authenticator code</h2>
        <form onSubmit={sendCode}>
          <input aria-label="Authenticator code" inputMode="numeric" autoComplete="one-time-code" value={code}
            onChange={(e) => setCode(e.target.value)} />
          <button type="submit">Continue</button>
        </form>
      </section>
    );
  }
  return (
    <section data-testid="sign-in-methods">
      <h2>Sign in</h2>
      {sent ? (
        <p role="status">Check your email: if the address can sign in, a link is on its way.</p>
      ) : (
        <form onSubmit={sendLink}>
          <input type="email" aria-label="Email address" required value={email} onChange={(e) => setEmail(e.target.value)} />
          <button type="submit" disabled={busy}>Email me a sign-in link</button>
        </form>
      )}
      {config.userPoolClientId && (
        <button onClick={() => void signInWithGoogle(config)}>Continue with Google</button>
      )}
      {error && <p role="alert" className="error">{error}</p>}
    </section>
  );
}
