import { defineConfig } from "vite";

// Relative asset URLs: the same build is served at /admin/ by the local stack and at the root of the
// AdminSiteBucket's CloudFront distribution.
export default defineConfig({
  base: "./",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    // the map (Leaflet) is its own chunk, loaded only when the map screen opens
    chunkSizeWarningLimit: 200,
  },
});
