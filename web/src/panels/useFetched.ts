import { useEffect, useState } from "react";
import { ApiError, type Client } from "../api/client";

/** What every panel is given: the API client, its topic's version (a change refetches), and
 * where errors go (a 401 ends the session). */
export interface PanelProps { client: Client; version: number; onError: (e: unknown) => void }

/** Fetch on mount and whenever a dependency moves; keep the last data while refetching. */
export function useFetched<T>(load: () => Promise<T>, deps: unknown[], onError: (e: unknown) => void) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    load().then(
      (value) => { if (current) { setData(value); setError(null); } },
      (e: unknown) => { if (current) { setError(describe(e)); onError(e); } },
    );
    return () => { current = false; };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return { data, error };
}

export function describe(error: unknown): string {
  return error instanceof ApiError ? `${error.message} (${error.status} ${error.code})` : "Something went wrong.";
}

export const formatTime = (ms: number) =>
  new Date(ms).toLocaleString("en-US", { dateStyle: "medium", timeStyle: "short" });
