import type { AppLoadContext, EntryContext, HandleErrorFunction } from "@remix-run/node";
import { isRouteErrorResponse, RemixServer } from "@remix-run/react";
import { renderToString } from "react-dom/server";
import { logger } from "./.server/logger";
import { redactPath } from "./.server/redact";
import { NonceProvider } from "./lib/nonce";

// The servers' own API rides in the build with this entry (Remix builds nothing else of the
// app's server side); loading it starts nothing: the servers call `serverApi.startServices()`.
export * as serverApi from "./.server/server-api";

/**
 * Remix's own handler prints errors with console.error: multi-line, with full URLs (room ids),
 * and for a failed Redis command every argument ioredis attached to it (room keys, member ids,
 * a sealed image's first bytes). Every error goes through the redacting logger instead, one JSON
 * line each. The router's answers to a client's mistake (a method the route lacks, no such route,
 * a `_data` naming another route) are no fault of ours and are in the request log with their
 * status already: debug only.
 */
export const handleError: HandleErrorFunction = (error, { request }) => {
  if (request.signal.aborted) return;
  const path = redactPath(new URL(request.url).pathname);
  if (isRouteErrorResponse(error) && error.status < 500) {
    const cause = (error as { error?: unknown }).error ?? error.statusText;
    logger.debug({ method: request.method, path, status: error.status, err: cause }, "request refused");
    return;
  }
  logger.error({ method: request.method, path, err: error }, "request failed");
};

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
    /** The request's path did not decode; the server sent it to routes/bad-address.tsx. */
    undecodablePath?: boolean;
  }
}
