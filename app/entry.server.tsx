import { PassThrough } from "node:stream";
import { createReadableStreamFromReadable, type AppLoadContext, type EntryContext } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
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
    logger.fatal("REQUIRE_EPHEMERAL_REDIS=true and Redis may write to disk: refusing to start");
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

const ABORT_DELAY_MS = 5_000;

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  const nonce = typeof loadContext.cspNonce === "string" ? loadContext.cspNonce : "";
  // Crawlers and link unfurlers get the complete document; people get the shell as soon as it is ready.
  const forBots = isbot(request.headers.get("user-agent"));
  return new Promise<Response>((resolve, reject) => {
    let shellRendered = false;
    let allDone = false;
    // Cleared once rendering is done: an uncleared timer keeps the whole render (request,
    // context, stream) in memory for its five seconds, on every page load.
    let abortTimer: NodeJS.Timeout | undefined;
    const done = () => {
      allDone = true;
      clearTimeout(abortTimer);
    };
    const respond = () => {
      shellRendered = true;
      const body = new PassThrough();
      responseHeaders.set("Content-Type", "text/html");
      resolve(
        new Response(createReadableStreamFromReadable(body), {
          headers: responseHeaders,
          status: responseStatusCode,
        }),
      );
      pipe(body);
    };
    const { pipe, abort } = renderToPipeableStream(
      <NonceProvider value={nonce}>
        <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY_MS} />
      </NonceProvider>,
      {
        nonce,
        onShellReady() {
          if (!forBots) respond();
        },
        onAllReady() {
          done();
          if (forBots) respond();
        },
        onShellError(error: unknown) {
          done();
          reject(error);
        },
        onError(error: unknown) {
          responseStatusCode = 500;
          // Errors after the shell are streamed to the client; log them once, without request data.
          if (shellRendered) logger.error({ err: { message: String(error) } }, "render error");
        },
      },
    );
    if (!allDone) abortTimer = setTimeout(abort, ABORT_DELAY_MS);
  });
}

declare module "@remix-run/node" {
  interface AppLoadContext {
    /** Set by server.ts for each request; absent under the Vite dev server. */
    cspNonce?: string;
    /** The TCP peer's address, for rate limits. */
    clientAddress?: string;
  }
}
