import { useCallback, useEffect, useRef, useState } from "react";
import { explain } from "../panels/explain";

export interface Page<T> { items: T[]; nextCursor?: string | null }

/** A list that grows a page at a time ("More") with the API's cursor. A change of `deps` (the
 * query) starts again from the first page, since a cursor is bound to its query; `reload` does
 * the same after a change; `replace` updates one item in place with what the API answered. */
export function usePages<T>(load: (cursor?: string) => Promise<Page<T>>, deps: unknown[], onError: (e: unknown) => void) {
  const [state, setState] = useState<{ items: T[]; next: string | null; error: string | null; loading: boolean }>(
    { items: [], next: null, error: null, loading: true });
  const generation = useRef(0);
  const fetchPage = useCallback((cursor?: string) => {
    const asked = cursor ? generation.current : ++generation.current;
    setState((s) => ({ ...s, loading: true, error: null }));
    load(cursor).then(
      (page) => {
        if (asked !== generation.current) return;
        setState((s) => ({ items: cursor ? [...s.items, ...page.items] : page.items, next: page.nextCursor ?? null,
          error: null, loading: false }));
      },
      (e: unknown) => {
        if (asked !== generation.current) return;
        setState((s) => ({ ...s, error: explain(e), loading: false }));
        onError(e);
      },
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  useEffect(() => fetchPage(), [fetchPage]);
  return {
    ...state,
    more: () => { if (state.next) fetchPage(state.next); },
    reload: () => fetchPage(),
    replace: (match: (item: T) => boolean, item: T) =>
      setState((s) => ({ ...s, items: s.items.map((old) => (match(old) ? item : old)) })),
  };
}

/** "More" while the API has a next page; waits while a page loads. */
export function More({ pages, label }: { pages: { next: string | null; loading: boolean; more: () => void }; label: string }) {
  if (!pages.next) return null;
  return <button className="more" disabled={pages.loading} onClick={pages.more}>More<span className="visually-hidden"> {label}</span></button>;
}
