import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The local runner serves the build at /app/ (same origin as the API); a deployment serves it
// wherever it likes with its own config.json beside index.html.
export default defineConfig({
  base: "./",
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false },
});
