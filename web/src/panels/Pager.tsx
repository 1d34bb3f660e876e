import { useState } from "react";

/** Cursor paging for a panel: a stack of the cursors of the pages seen (Previous = pop). A cursor
 * is bound to its query, so a new `scope` (the panel's filters) starts again from the first page. */
export function useCursors(scope = "") {
  const [state, setState] = useState<{ scope: string; stack: (string | undefined)[] }>({ scope, stack: [undefined] });
  const stack = state.scope === scope ? state.stack : [undefined];
  return {
    cursor: stack[stack.length - 1],
    hasPrevious: stack.length > 1,
    previous: () => setState({ scope, stack: stack.slice(0, -1) }),
    next: (cursor: string) => setState({ scope, stack: [...stack, cursor] }),
  };
}

/** Previous and Next; both wait while a page loads (its `nextCursor` belongs to the last answer). */
export function Pager({ cursors, nextCursor, loading }: {
  cursors: ReturnType<typeof useCursors>; nextCursor?: string | null; loading: boolean;
}) {
  return (
    <nav className="pager" aria-label="Pages">
      <button disabled={loading || !cursors.hasPrevious} onClick={cursors.previous}>Previous</button>
      <button disabled={loading || !nextCursor} onClick={() => nextCursor && cursors.next(nextCursor)}>Next</button>
    </nav>
  );
}
