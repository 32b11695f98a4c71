/**
 * The production HTTP server that `npm start` runs (and the container). Unlike remix-serve it
 * writes no access log of raw URLs: room URLs carry room ids, which must never reach a log.
 */
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { AppBuild } from "./server/http-app";
import { createHttpApp } from "./server/http-app";
import { ShutdownCoordinator } from "./server/graceful-shutdown";

// What `npm start` and the container run is production unless told otherwise (as remix-serve did);
// it must be set before the build's env validation reads it.
process.env.NODE_ENV ??= "production";

const buildDir = path.dirname(fileURLToPath(import.meta.url));
// Importing the build validates the environment: a bad value has already stopped the process.
const build = (await import(path.join(buildDir, "server/index.js"))) as AppBuild;
const { env, logger, closeServices } = build.entry.module;

const shutdown = new ShutdownCoordinator();
const server = http.createServer(createHttpApp(build, path.join(buildDir, "client"), shutdown));
// Node's default accept queue (511) overflows when many connections arrive at once, as when every
// open tab reconnects its event stream after a deploy; the kernel then drops the surplus and each
// client retries after 1, 3, 7… seconds. The kernel caps this at net.core.somaxconn.
server.listen({ port: env.PORT, host: env.HOST, backlog: 4096 }, () => {
  logger.info(`Ephemera listening on http://localhost:${env.PORT}`);
});

function stop(signal: string) {
  if (shutdown.stopping) return;
  logger.info({ signal, openStreams: shutdown.openStreams }, "shutting down");
  const forceExit = setTimeout(() => {
    logger.warn("shutdown took too long; exiting");
    process.exit(1);
  }, env.SHUTDOWN_TIMEOUT_MS);
  forceExit.unref();
  shutdown
    .shutdown(server, { drainMs: Math.max(0, env.SHUTDOWN_TIMEOUT_MS - 2000), closeStore: closeServices })
    .then(() => {
      logger.info("shut down cleanly");
      process.exit(0);
    })
    .catch((error: unknown) => {
      logger.error({ err: { message: String(error) } }, "shutdown failed");
      process.exit(1);
    });
}
process.once("SIGTERM", () => stop("SIGTERM"));
process.once("SIGINT", () => stop("SIGINT"));
