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

/**
 * For `/readyz`: resolves with the room store's kind when it and the account store (PostgreSQL,
 * or memory) both answer, rejects naming the one that does not.
 */
export async function checkStore(): Promise<string> {
  const { store, accounts } = getServices();
  await Promise.all([
    store.ping(),
    accounts.ping().catch((error: unknown) => {
      throw new Error(`accounts database unreachable: ${error instanceof Error ? error.message : String(error)}`);
    }),
  ]);
  return store.kind;
}
