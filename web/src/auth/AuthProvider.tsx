// React binding of ./auth: one provider around the app, one hook for the session.
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from "react";
import * as auth from "./auth";
import { claimsOf, type Tokens, tokenStore } from "./tokens";

export interface Session {
  status: "loading" | "signedOut" | "signedIn";
  claims: Record<string, unknown> | null; // for display; the API verifies the token itself
  error: string | null;
  getIdToken: () => Promise<string | null>;
  signOut: (options?: { everywhere?: boolean }) => Promise<void>;
  signedIn: (tokens: Tokens) => void; // after completeEmailLink / answerTotp
}

const SessionContext = createContext<Session | null>(null);

export function AuthProvider({ config, children }: { config: auth.AuthConfig; children: ReactNode }) {
  const [tokens, setTokens] = useState<Tokens | null>(tokenStore.get());
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    auth
      .handleRedirect(config)
      .then((fromRedirect) => fromRedirect && setTokens(fromRedirect))
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)))
      .finally(() => setLoading(false));
  }, [config]);

  const getIdToken = useCallback(async () => {
    const token = await auth.getIdToken(config);
    const current = tokenStore.get();
    setTokens((previous) => (previous?.idToken === current?.idToken ? previous : current));
    return token;
  }, [config]);

  // Silent refresh a minute before the ID token expires, so an open page is never bounced.
  useEffect(() => {
    if (!tokens) return;
    const wait = Math.max(0, tokens.expiresAt - Date.now() - 60_000);
    const timer = window.setTimeout(() => void getIdToken(), wait);
    return () => window.clearTimeout(timer);
  }, [tokens, getIdToken]);

  const value = useMemo<Session>(
    () => ({
      status: loading ? "loading" : tokens ? "signedIn" : "signedOut",
      claims: tokens ? claimsOf(tokens.idToken) : null,
      error,
      getIdToken,
      signOut: async (options) => {
        await auth.signOut(config, options);
        setTokens(null);
      },
      signedIn: setTokens,
    }),
    [loading, tokens, error, getIdToken, config],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession() needs an <AuthProvider> around it");
  return session;
}
