/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// Run from the repo root as `vite ui` / `vite build ui`: the root is this folder, the bundle goes
// to ui/dist (tauri.conf.json `frontendDist`), and the dev server uses the port `devUrl` expects.
export default defineConfig({
  plugins: [react()],
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  // WebKitGTK is Safari's engine; safari13 keeps the bundle runnable on older WebKit builds.
  // The bundle is loaded from disk by the app, so one 750 kB chunk costs nothing worth splitting for.
  build: { outDir: "dist", emptyOutDir: true, target: "safari13", sourcemap: false, chunkSizeWarningLimit: 1200 },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    // Fluent's dialogs and tooltips animate and portal; a few seconds is plenty on a busy machine.
    testTimeout: 20000,
  },
});
