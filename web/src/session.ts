// The ID token lives in sessionStorage (this tab only, gone when it closes): never in the URL of
// the page or in localStorage.
const KEY = "clinic.idToken";

export const session = {
  get: (): string | null => sessionStorage.getItem(KEY),
  set: (token: string): void => sessionStorage.setItem(KEY, token),
  clear: (): void => sessionStorage.removeItem(KEY),
};

/** The claims the page shows (name, email, role); the API verifies the token, not the page. */
export function claimsOf(token: string): { email?: string; name?: string; role?: string } | null {
  try {
    const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(payload)) as { email?: string; name?: string; role?: string };
  } catch {
    return null;
  }
}
