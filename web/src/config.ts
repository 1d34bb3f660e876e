// Runtime configuration, fetched from config.json beside index.html: the same build runs locally
// (the runner serves its own config.json) and deployed (the deployment writes one).
export interface RuntimeConfig {
  apiBaseUrl: string; // "" = the page's own origin
  webSocketUrl: string; // "" = no live updates
  demoSignIn: boolean; // the local runner's demo-account sign-in
}

export async function loadConfig(): Promise<RuntimeConfig> {
  const response = await fetch("config.json", { cache: "no-store" });
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
  const raw = (await response.json()) as Partial<RuntimeConfig>;
  return {
    apiBaseUrl: (raw.apiBaseUrl ?? "").replace(/\/$/, ""),
    webSocketUrl: raw.webSocketUrl ?? "",
    demoSignIn: raw.demoSignIn === true,
  };
}
