// The user pool's public API (AWS JSON protocol), called with fetch: no SDK, no signing (these
// operations take no AWS credentials). Deployed the endpoint is Cognito's regional one; locally
// the runner serves the same protocol at /cognito-idp/ on the page's origin.

export class CognitoError extends Error {
  constructor(
    readonly type: string, // Cognito's error type, e.g. "NotAuthorizedException"
    message: string,
  ) {
    super(message);
  }
}

export interface AuthenticationResult {
  IdToken: string;
  AccessToken: string;
  RefreshToken?: string;
  ExpiresIn: number;
}

export interface InitiateAuthResponse {
  ChallengeName?: string;
  Session?: string;
  ChallengeParameters?: Record<string, string>;
  AuthenticationResult?: AuthenticationResult;
}

export async function cognitoCall<T>(endpoint: string, operation: string, body: object): Promise<T> {
  const response = await fetch(endpoint, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": `AWSCognitoIdentityProviderService.${operation}`,
    },
    body: JSON.stringify(body),
  });
  const payload = (await response.json().catch(() => ({}))) as { __type?: string; message?: string };
  if (!response.ok) {
    const type = (payload.__type ?? "InternalErrorException").split("#").pop() ?? "InternalErrorException";
    throw new CognitoError(type, payload.message ?? `HTTP ${response.status}`);
  }
  return payload as T;
}
