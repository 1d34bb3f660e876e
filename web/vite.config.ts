import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// Served at /app/ on the API's origin, locally (the runner) and deployed (CloudFront, which
// answers any page route under /app/ with index.html): absolute asset URLs, so a deep route
// still loads them.
export default defineConfig({
  base: "/app/",
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false },
});
