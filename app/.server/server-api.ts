/**
 * What the production server (server.ts) and the dev server's API (server/dev-api.ts) take from
 * the built app. Remix builds only its routes and its entry, so this travels in the build as the
 * entry's `serverApi` export (app/entry.server.tsx); those servers import nothing else of the app
 * at run time but the env and the logger, which they need before the build loads.
 */
import { getServices } from "./services";

export { env } from "./env";
export { logger } from "./logger";
export { registry as metricsRegistry } from "./metrics";
export { handleTrpcRequest, isHotTrpcRequest, serveHotTrpcRequest } from "./transport/node-handler";
export { startServices } from "./startup";

/** Lets the production server close the stores (and their Redis connections) on shutdown. */
export async function closeServices(): Promise<void> {
  await getServices().close();
}

/** For `/readyz`: resolves with the store's kind when it answers, rejects when it does not. */
export async function checkStore(): Promise<string> {
  const { store } = getServices();
  await store.ping();
  return store.kind;
}
