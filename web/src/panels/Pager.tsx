import { useState } from "react";

/** Cursor paging for a panel: a stack of the cursors of the pages seen (Previous = pop). */
export function useCursors() {
  const [stack, setStack] = useState<(string | undefined)[]>([undefined]);
  return {
    cursor: stack[stack.length - 1],
    hasPrevious: stack.length > 1,
    previous: () => setStack(stack.slice(0, -1)),
    next: (cursor: string) => setStack([...stack, cursor]),
    reset: () => setStack([undefined]),
  };
}

export function Pager({ cursors, nextCursor }: { cursors: ReturnType<typeof useCursors>; nextCursor?: string | null }) {
  return (
    <nav className="pager">
      <button disabled={!cursors.hasPrevious} onClick={cursors.previous}>Previous</button>
      <button disabled={!nextCursor} onClick={() => nextCursor && cursors.next(nextCursor)}>Next</button>
    </nav>
  );
}
