import type { RequestListener } from "node:http";
import type { Plugin } from "vite";
import { bodyLimit } from "./body-limit";
import { throughChain, trpcPath, withHotLane } from "./hot-lane";
import type { AppBuild, ServerApi } from "./http-app";
import { fixedSecurityHeaders } from "./security-headers";

/** Remix's dev build of the app, as its own dev middleware loads it. */
const SERVER_BUILD = "virtual:remix/server-build";

/**
 * `npm run dev` answers /api/trpc as the production server does (server/http-app.ts): the hot
 * lane for event streams and query and mutation batches, the node handler for the rest, behind
 * the same API headers and body limit. A resource route with tRPC's fetch adapter used to answer
 * it in dev: another transport, which no HTTP test covered. The app's side is loaded through Vite
 * on every request, as Remix loads pages, so an edit to a router or the transport applies at once.
 * Not here: shutdown tracking and the request log (dev logs no page requests either). The first
 * request of any kind starts the app's services, as `npm start` does when it starts.
 */
export function devApi(): Plugin {
  return {
    name: "ephemera-dev-api",
    apply: "serve",
    configureServer(vite) {
      const loadApi = async () => ((await vite.ssrLoadModule(SERVER_BUILD)) as AppBuild).entry.module.serverApi;
      // Once per process: the services live on across reloads of the app (app/.server/services.ts).
      let started = false;
      // One listener per loaded app: an edit makes Vite evaluate the entry module again.
      const listeners = new WeakMap<ServerApi, RequestListener>();
      // Added here rather than in a returned hook: ahead of Vite's own middleware and Remix's.
      vite.middlewares.use((req, res, next) => {
        if (!started) {
          started = true;
          // A page's request goes on meanwhile; an app that fails to load shows that failure there.
          loadApi()
            .then((api) => api.startServices())
            .then((mayServe) => mayServe || process.exit(1))
            .catch(() => (started = false));
        }
        if (trpcPath(req.url) === null) return next();
        loadApi()
          .then((api) => {
            let listener = listeners.get(api);
            if (!listener) listeners.set(api, (listener = apiListener(api)));
            listener(req, res);
          })
          .catch(next);
      });
    },
  };
}

function apiListener(api: ServerApi): RequestListener {
  const { env, logger, handleTrpcRequest, isHotTrpcRequest, serveHotTrpcRequest } = api;
  const chain = [fixedSecurityHeaders(false), bodyLimit(env.MAX_BODY_BYTES)];
  const rest = throughChain(chain, handleTrpcRequest, logger);
  return withHotLane((req, res) => rest(req, res, trpcPath(req.url) ?? ""), {
    isHot: isHotTrpcRequest,
    serve: serveHotTrpcRequest,
    chain,
    logger,
  });
}
