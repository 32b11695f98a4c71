import { vitePlugin as remix } from "@remix-run/dev";
import tailwindcss from "@tailwindcss/vite";
import { defineConfig } from "vite";
import { compression } from "vite-plugin-compression2";
import tsconfigPaths from "vite-tsconfig-paths";
import { devApi } from "./server/dev-api";
import { loadEnvFileIfPresent } from "./server/env-file";

export default defineConfig(({ isSsrBuild }) => ({
  // Every asset is a file from this origin: inlined data: URIs would need a looser CSP.
  build: { assetsInlineLimit: 0 },
  plugins: [
    // `npm run dev` reads `.env` as `npm start` does (server.ts), before the app's code loads.
    {
      name: "ephemera-env-file",
      config: (_, { command }) => {
        if (command === "serve") loadEnvFileIfPresent();
      },
    },
    // /api/trpc in dev through the production transport, not a Remix route.
    devApi(),
    tailwindcss(),
    remix({
      // scripts/build.mjs builds each time into a new folder of `.builds/`.
      buildDirectory: process.env.EPHEMERA_BUILD_DIR ?? "build",
      future: {
        v3_fetcherPersist: true,
        v3_relativeSplatPath: true,
        v3_throwAbortReason: true,
        // Off on purpose: with five routes the whole manifest is a 2 KB script, cached like every
        // asset, and without it creating a room cost a route-discovery round trip before the
        // room's data (decision 013).
        v3_lazyRouteDiscovery: false,
      },
    }),
    tsconfigPaths(),
    // Scripts and styles are compressed once, here, at the strongest settings (brotli 11, gzip 9);
    // the server sends these files rather than compressing every download (server/http-app.ts).
    !isSsrBuild && compression({ include: /\.(js|css|svg)$/, threshold: 1024 }),
  ],
}));
