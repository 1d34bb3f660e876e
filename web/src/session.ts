// The ID token lives in sessionStorage (this tab only, gone when it closes): never in the URL of
// the page or in localStorage.
const KEY = "clinic.idToken";

export const session = {
  get: (): string | null => sessionStorage.getItem(KEY),
  set: (token: string): void => sessionStorage.setItem(KEY, token),
  clear: (): void => sessionStorage.removeItem(KEY),
};

/** The claims the page uses (name, email, role, groups); the API verifies the token, not the page. */
export type Claims = { sub?: string; email?: string; name?: string; role?: string; "cognito:groups"?: string[] };

export function claimsOf(token: string): Claims | null {
  try {
    const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(payload)) as Claims;
  } catch {
    return null;
  }
}
