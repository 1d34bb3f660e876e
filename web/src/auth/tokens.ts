// The session's tokens, for this tab only: sessionStorage (gone when the tab closes), never the
// URL or localStorage.
const KEY = "clinic.auth.tokens";

export interface Tokens {
  idToken: string;
  accessToken: string;
  refreshToken: string;
  expiresAt: number; // epoch ms when the ID token expires
}

export const tokenStore = {
  get(): Tokens | null {
    try {
      return JSON.parse(sessionStorage.getItem(KEY) ?? "null") as Tokens | null;
    } catch {
      return null;
    }
  },
  set(tokens: Tokens): void {
    sessionStorage.setItem(KEY, JSON.stringify(tokens));
  },
  clear(): void {
    sessionStorage.removeItem(KEY);
  },
};

export function claimsOf(token: string): Record<string, unknown> {
  const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
  return JSON.parse(atob(payload)) as Record<string, unknown>;
}
