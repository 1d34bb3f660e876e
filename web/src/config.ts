// Runtime configuration, fetched from config.json beside index.html: the same build runs locally
// (the runner serves its own config.json) and deployed (`make publish` writes one from the
// stack's outputs). Both name the API as "/api": the page and the API share one origin.
export interface RuntimeConfig {
  apiBaseUrl: string; // a path on the page's origin ("/api"), or another origin's URL
  webSocketUrl: string; // "" = no live updates
  demoSignIn: boolean; // the local runner's demo-account sign-in
  // Sign-in (web/src/auth): the user pool's API and hosted UI, and where the hosted UI returns.
  cognitoEndpoint: string; // deployed: https://cognito-idp.<region>.amazonaws.com/; locally the runner's path
  userPoolClientId: string;
  hostedUiDomain: string; // deployed: https://<prefix>.auth.<region>.amazoncognito.com; "" = this origin
  redirectUri: string; // absolute, or a path on this origin
}

export async function loadConfig(): Promise<RuntimeConfig> {
  const response = await fetch(`${import.meta.env.BASE_URL}config.json`, { cache: "no-store" });
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
  const raw = (await response.json()) as Partial<RuntimeConfig>;
  return {
    apiBaseUrl: (raw.apiBaseUrl ?? "").replace(/\/$/, ""),
    webSocketUrl: raw.webSocketUrl ?? "",
    demoSignIn: raw.demoSignIn === true,
    cognitoEndpoint: raw.cognitoEndpoint ?? "",
    userPoolClientId: raw.userPoolClientId ?? "",
    hostedUiDomain: (raw.hostedUiDomain ?? "").replace(/\/$/, ""),
    redirectUri: raw.redirectUri ?? `${import.meta.env.BASE_URL}`,
  };
}
