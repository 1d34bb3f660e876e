import { useEffect, useRef, useState } from "react";
import type { Client } from "../api/client";
import { explain } from "./explain";

/** What every panel is given: the API client, its topic's version (a change refetches), and
 * where errors go (a 401 ends the session). */
export interface PanelProps { client: Client; version: number; onError: (e: unknown) => void }

/** Fetch on mount and whenever a dependency moves; keep the last data while refetching, and say
 * so (`loading`): a pager must not offer the cursor of a previous query's answer. */
export function useFetched<T>(load: () => Promise<T>, deps: unknown[], onError: (e: unknown) => void) {
  const [state, setState] = useState<{ data: T | null; error: string | null; of: number }>({ data: null, error: null, of: -1 });
  const asked = useRef(0);
  const [current, setCurrent] = useState(0);
  useEffect(() => {
    const request = ++asked.current;
    setCurrent(request);
    let live = true;
    load().then(
      (value) => { if (live) setState({ data: value, error: null, of: request }); },
      (e: unknown) => { if (live) { setState((s) => ({ ...s, error: explain(e), of: request })); onError(e); } },
    );
    return () => { live = false; };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return { data: state.data, error: state.error, loading: state.of !== current };
}

export const formatTime = (ms: number) =>
  new Date(ms).toLocaleString("en-US", { dateStyle: "medium", timeStyle: "short" });
