import { PassThrough } from "node:stream";
import { createReadableStreamFromReadable, type EntryContext } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import { logger } from "./.server/logger";
import { getServices } from "./.server/services";

// The production server (server.ts) reads these from the built module.
export { env } from "./.server/env";
export { logger } from "./.server/logger";

// Built at startup, not on the first request: the store's startup line (and a bad Redis URL)
// should show when the process starts.
getServices();

/** Lets the production server close the store (and its Redis connections) on shutdown. */
export async function closeServices(): Promise<void> {
  await getServices().store.close();
}

const ABORT_DELAY_MS = 5_000;

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
) {
  // Crawlers and link unfurlers get the complete document; people get the shell as soon as it is ready.
  const readyEvent = isbot(request.headers.get("user-agent")) ? "onAllReady" : "onShellReady";
  return new Promise<Response>((resolve, reject) => {
    let shellRendered = false;
    const { pipe, abort } = renderToPipeableStream(
      <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY_MS} />,
      {
        [readyEvent]() {
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
        },
        onShellError(error: unknown) {
          reject(error);
        },
        onError(error: unknown) {
          responseStatusCode = 500;
          // Errors after the shell are streamed to the client; log them once, without request data.
          if (shellRendered) logger.error({ err: { message: String(error) } }, "render error");
        },
      },
    );
    setTimeout(abort, ABORT_DELAY_MS);
  });
}
