import type { AppLoadContext, EntryContext } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { renderToString } from "react-dom/server";
import { logger } from "./.server/logger";
import { env } from "./.server/env";
import { checkRedisPersistence, getServices } from "./.server/services";
import { NonceProvider } from "./lib/nonce";

// The production server (server.ts) reads these from the built module.
export { env } from "./.server/env";
export { logger } from "./.server/logger";
export { registry as metricsRegistry } from "./.server/metrics";
export { handleTrpcRequest, isHotTrpcRequest, serveHotTrpcRequest } from "./.server/trpc/node-handler";

// Built at startup, not on the first request: the store's startup line (and a bad Redis URL)
// should show when the process starts.
void checkRedisPersistence(getServices().store, env).then((verdict) => {
  if (verdict === "refuse") {
    logger.fatal("REQUIRE_EPHEMERAL_REDIS=true and Redis may write to disk or evict rooms: refusing to start");
    process.exit(1);
  }
});

/** Lets the production server close the store (and its Redis connections) on shutdown. */
export async function closeServices(): Promise<void> {
  await getServices().store.close();
}

/** For `/readyz`: resolves with the store's kind when it answers, rejects when it does not. */
export async function checkStore(): Promise<string> {
  const { store } = getServices();
  await store.ping();
  return store.kind;
}

/**
 * Every page is rendered whole, in one synchronous pass, and sent with its length (decision 014).
 * Nothing in the app suspends (no `defer`, no `<Suspense>`), so a streamed render's shell is the
 * whole page anyway: streaming sent the same bytes no sooner, and its renderer, the Node stream
 * and the web stream around it cost about a fifth of a page's server CPU. A `defer` added later
 * would need `renderToPipeableStream` back; `renderToString` would send its fallbacks for good.
 */
export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  const nonce = typeof loadContext.cspNonce === "string" ? loadContext.cspNonce : "";
  const page = `<!DOCTYPE html>${renderToString(
    <NonceProvider value={nonce}>
      <RemixServer context={remixContext} url={request.url} />
    </NonceProvider>,
  )}`;
  responseHeaders.set("Content-Type", "text/html; charset=utf-8");
  responseHeaders.set("Content-Length", String(Buffer.byteLength(page)));
  return new Response(page, { headers: responseHeaders, status: responseStatusCode });
}

declare module "@remix-run/node" {
  interface AppLoadContext {
    /** Set by server.ts for each request; absent under the Vite dev server. */
    cspNonce?: string;
    /** The TCP peer's address, for rate limits. */
    clientAddress?: string;
  }
}
