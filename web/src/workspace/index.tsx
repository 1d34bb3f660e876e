// The staff workspace's entry: who sees it, and the workspace itself loaded on demand, so a
// patient's page never downloads it.
import { lazy, Suspense } from "react";
import type { RuntimeConfig } from "../config";

export { isStaff } from "./role";

const Workspace = lazy(() => import("./Workspace"));

export function StaffWorkspace(props: { config: RuntimeConfig }) {
  return (
    <Suspense fallback={<main><p role="status">Loading the workspace…</p></main>}>
      <Workspace {...props} />
    </Suspense>
  );
}
