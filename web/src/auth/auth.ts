// Signing in to the clinic API from a browser: email link (Cognito custom auth), Google (the
// hosted UI, authorization code + PKCE), TOTP for staff, silent refresh and sign-out. Framework
// free; <AuthProvider>/useSession() wrap it for React. The same code runs locally (the runner
// serves the user pool's API and hosted UI) and deployed: only config.json differs.
import { type AuthenticationResult, CognitoError, cognitoCall, type InitiateAuthResponse } from "./cognito";
import { challengeOf, randomString } from "./pkce";
import { claimsOf, type Tokens, tokenStore } from "./tokens";

export interface AuthConfig {
  apiBaseUrl: string;
  cognitoEndpoint: string; // the user pool's API (regional endpoint, or the runner's path)
  userPoolClientId: string;
  hostedUiDomain: string; // the hosted UI's origin ("" = the page's own origin, locally)
  redirectUri: string; // where the hosted UI returns (absolute, or a path on this origin)
}

/** Where a sign-in stands: done, or waiting for the authenticator app's code. */
export type SignInStep = { kind: "signedIn"; tokens: Tokens } | { kind: "totp"; session: string; email: string };

export class LinkRefused extends Error {
  constructor() {
    super("This sign-in link was already used, has expired or is not valid. Ask for a new one.");
  }
}

const REFRESH_MARGIN_MS = 60_000;
const REDIRECT_KEY = "clinic.auth.redirect";
const FIRST_LINK_ERROR = "Already found an entry for username";

function absolute(url: string): string {
  return new URL(url, window.location.origin).href;
}

function store(result: AuthenticationResult, refreshToken?: string): Tokens {
  const exp = Number(claimsOf(result.IdToken).exp ?? 0) * 1000;
  const tokens: Tokens = {
    idToken: result.IdToken,
    accessToken: result.AccessToken,
    refreshToken: result.RefreshToken ?? refreshToken ?? "",
    expiresAt: exp || Date.now() + result.ExpiresIn * 1000,
  };
  tokenStore.set(tokens);
  return tokens;
}

function step(response: InitiateAuthResponse, email: string): SignInStep {
  if (response.AuthenticationResult) return { kind: "signedIn", tokens: store(response.AuthenticationResult) };
  if (response.ChallengeName === "SOFTWARE_TOKEN_MFA" && response.Session) {
    return { kind: "totp", session: response.Session, email };
  }
  throw new CognitoError("NotAuthorizedException", "unexpected sign-in step");
}

/** Tokens obtained another way (the local runner's demo accounts, a pasted ID token) as this
 * tab's session. Without a refresh token the session ends when the ID token expires. */
export function adoptTokens(tokens: { idToken: string; accessToken?: string; refreshToken?: string }): Tokens {
  return store({ IdToken: tokens.idToken, AccessToken: tokens.accessToken ?? "", RefreshToken: tokens.refreshToken,
    ExpiresIn: 0 });
}

/** Ask for a sign-in link. The answer is the same whether or not the address has an account. */
export async function signInWithEmailLink(config: AuthConfig, email: string): Promise<void> {
  const response = await fetch(`${config.apiBaseUrl}/auth/email-link`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email }),
  });
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { error?: { message?: string } };
    throw new Error(body.error?.message ?? `HTTP ${response.status}`);
  }
}

/** The link's address and secret from the URL fragment (#token=...&email=...), removed from the URL. */
export function readEmailLink(): { email: string; token: string } | null {
  const fragment = new URLSearchParams(window.location.hash.replace(/^#/, ""));
  const token = fragment.get("token");
  const email = fragment.get("email");
  if (!token || !email) return null;
  window.history.replaceState(null, "", window.location.pathname + window.location.search);
  return { email, token };
}

/** Redeem a link: sign up a new address with it, then answer the custom challenge with it. */
export async function completeEmailLink(config: AuthConfig, email: string, token: string): Promise<SignInStep> {
  const endpoint = config.cognitoEndpoint;
  const ClientId = config.userPoolClientId;
  try {
    await cognitoCall(endpoint, "SignUp", {
      ClientId,
      Username: email,
      Password: `Aa1-${randomString(24)}`, // never used: this pool signs in by link or Google only
      ClientMetadata: { emailLinkToken: token },
    });
  } catch (error) {
    // An address with an account already is refused here; a dead link fails below alike.
    if (!(error instanceof CognitoError)) throw error;
  }
  try {
    const started = await cognitoCall<InitiateAuthResponse>(endpoint, "InitiateAuth", {
      ClientId,
      AuthFlow: "CUSTOM_AUTH",
      AuthParameters: { USERNAME: email },
    });
    const answered = await cognitoCall<InitiateAuthResponse>(endpoint, "RespondToAuthChallenge", {
      ClientId,
      ChallengeName: started.ChallengeName,
      Session: started.Session,
      ChallengeResponses: { USERNAME: started.ChallengeParameters?.USERNAME ?? email, ANSWER: token },
    });
    return step(answered, email);
  } catch (error) {
    if (error instanceof CognitoError && error.type === "NotAuthorizedException") throw new LinkRefused();
    throw error;
  }
}

/** The authenticator app's code, when the sign-in asked for it (staff, and patients who opted in). */
export async function answerTotp(config: AuthConfig, pending: SignInStep & { kind: "totp" }, code: string): Promise<Tokens> {
  const answered = await cognitoCall<InitiateAuthResponse>(config.cognitoEndpoint, "RespondToAuthChallenge", {
    ClientId: config.userPoolClientId,
    ChallengeName: "SOFTWARE_TOKEN_MFA",
    Session: pending.session,
    ChallengeResponses: { USERNAME: pending.email, SOFTWARE_TOKEN_MFA_CODE: code },
  });
  const done = step(answered, pending.email);
  if (done.kind !== "signedIn") throw new CognitoError("NotAuthorizedException", "unexpected sign-in step");
  return done.tokens;
}

/** Go to Google through the hosted UI (authorization code + PKCE, state and nonce kept for this tab). */
export async function signInWithGoogle(config: AuthConfig, retried = false): Promise<void> {
  const verifier = randomString(48);
  const state = randomString();
  const nonce = randomString();
  sessionStorage.setItem(REDIRECT_KEY, JSON.stringify({ verifier, state, nonce, retried }));
  const query = new URLSearchParams({
    response_type: "code",
    client_id: config.userPoolClientId,
    redirect_uri: absolute(config.redirectUri),
    identity_provider: "Google",
    scope: "openid email profile",
    state,
    nonce,
    code_challenge: await challengeOf(verifier),
    code_challenge_method: "S256",
  });
  window.location.assign(`${config.hostedUiDomain}/oauth2/authorize?${query}`);
}

/** Finish a hosted-UI sign-in on return: check state and nonce, exchange the code, clean the URL.
 * Cognito's first Google sign-in that links an existing account fails once: restart it once. */
export async function handleRedirect(config: AuthConfig): Promise<Tokens | null> {
  const query = new URLSearchParams(window.location.search);
  const code = query.get("code");
  const error = query.get("error_description") ?? query.get("error");
  if (!code && !error) return null;
  window.history.replaceState(null, "", window.location.pathname);
  const saved = JSON.parse(sessionStorage.getItem(REDIRECT_KEY) ?? "null") as
    | { verifier: string; state: string; nonce: string; retried: boolean }
    | null;
  sessionStorage.removeItem(REDIRECT_KEY);
  if (!saved || query.get("state") !== saved.state) throw new Error("This sign-in did not start here: try again.");
  if (error) {
    if (error.includes(FIRST_LINK_ERROR) && !saved.retried) {
      await signInWithGoogle(config, true);
      return null;
    }
    throw new Error("Google sign-in did not complete: try again, or use an email link.");
  }
  const response = await fetch(`${config.hostedUiDomain}/oauth2/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      client_id: config.userPoolClientId,
      code: code ?? "",
      redirect_uri: absolute(config.redirectUri),
      code_verifier: saved.verifier,
    }),
  });
  if (!response.ok) throw new Error("Google sign-in did not complete: try again.");
  const body = (await response.json()) as { id_token: string; access_token: string; refresh_token: string; expires_in: number };
  if (claimsOf(body.id_token).nonce !== saved.nonce) throw new Error("Google sign-in did not complete: try again.");
  return store({ IdToken: body.id_token, AccessToken: body.access_token, RefreshToken: body.refresh_token, ExpiresIn: body.expires_in });
}

/** The ID token for the API, refreshed first when it expires within a minute; null when signed out. */
export async function getIdToken(config: AuthConfig): Promise<string | null> {
  const tokens = tokenStore.get();
  if (!tokens) return null;
  if (tokens.expiresAt - REFRESH_MARGIN_MS > Date.now()) return tokens.idToken;
  if (!tokens.refreshToken) {
    // A token given as is (pasted): it serves until it expires, then the session ends.
    if (tokens.expiresAt > Date.now()) return tokens.idToken;
    tokenStore.clear();
    return null;
  }
  try {
    const refreshed = await cognitoCall<InitiateAuthResponse>(config.cognitoEndpoint, "InitiateAuth", {
      ClientId: config.userPoolClientId,
      AuthFlow: "REFRESH_TOKEN_AUTH",
      AuthParameters: { REFRESH_TOKEN: tokens.refreshToken },
    });
    if (!refreshed.AuthenticationResult) throw new CognitoError("NotAuthorizedException", "no tokens");
    return store(refreshed.AuthenticationResult, tokens.refreshToken).idToken;
  } catch (error) {
    if (error instanceof CognitoError) {
      tokenStore.clear(); // revoked, signed out elsewhere, deleted or disabled
      return null;
    }
    throw error; // offline: keep the session, try again later
  }
}

/** Sign out: revoke this session's refresh token; `everywhere` ends every session of the person.
 * GlobalSignOut goes first and alone: revoking the refresh token also revokes the access tokens
 * issued from it, so a GlobalSignOut that arrived after the revocation would be refused and leave
 * the person's other sessions open. */
export async function signOut(config: AuthConfig, options: { everywhere?: boolean } = {}): Promise<void> {
  const tokens = tokenStore.get();
  tokenStore.clear();
  if (!tokens) return;
  if (options.everywhere) {
    await cognitoCall(config.cognitoEndpoint, "GlobalSignOut", { AccessToken: tokens.accessToken }).catch(() => undefined);
  }
  await cognitoCall(config.cognitoEndpoint, "RevokeToken", { ClientId: config.userPoolClientId, Token: tokens.refreshToken })
    .catch(() => undefined);
}

/** Start setting up an authenticator app: the secret to add to it (and its otpauth:// URI). */
export async function setUpTotp(config: AuthConfig): Promise<{ secret: string; uri: string }> {
  const tokens = tokenStore.get();
  if (!tokens) throw new Error("Sign in first.");
  const { SecretCode } = await cognitoCall<{ SecretCode: string }>(config.cognitoEndpoint, "AssociateSoftwareToken", {
    AccessToken: tokens.accessToken,
  });
  const label = encodeURIComponent(String(claimsOf(tokens.idToken).email ?? "clinic"));
  return { secret: SecretCode, uri: `otpauth://totp/Clinic:${label}?secret=${SecretCode}&issuer=Clinic` };
}

/** Confirm the app with one of its codes and turn it on; then every session ends, so the next
 * sign-in (with the code) is the only way to a staff token. */
export async function confirmTotp(config: AuthConfig, code: string): Promise<void> {
  const tokens = tokenStore.get();
  if (!tokens) throw new Error("Sign in first.");
  await cognitoCall(config.cognitoEndpoint, "VerifySoftwareToken", { AccessToken: tokens.accessToken, UserCode: code });
  await cognitoCall(config.cognitoEndpoint, "SetUserMFAPreference", {
    AccessToken: tokens.accessToken,
    SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
  });
  await signOut(config, { everywhere: true });
}
