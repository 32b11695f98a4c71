/**
 * The production HTTP server that `npm start` runs (and the container). Unlike remix-serve it
 * writes no access log of raw URLs: room URLs carry room ids, which must never reach a log.
 * With WEB_CONCURRENCY above 1 this process is the primary of that many workers (decision 015),
 * each of which runs the server below.
 */
import cluster from "node:cluster";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { AppBuild } from "./server/http-app";
import { createHttpApp } from "./server/http-app";
import { ShutdownCoordinator } from "./server/graceful-shutdown";
import { workerMetrics } from "./server/cluster-metrics";
import { runPrimary } from "./server/cluster-primary";
import { loadEnvFileIfPresent } from "./server/env-file";
import { markBuildInUse } from "./server/build-in-use";

// Before anything reads the environment, and before the default below: a NODE_ENV in the file
// is the operator's choice.
const readEnvFile = loadEnvFileIfPresent();

// What `npm start` and the container run is production unless told otherwise (as remix-serve did);
// it must be set before the environment is validated.
process.env.NODE_ENV ??= "production";

// Validated here first (a bad value stops the process with one line), so that a primary knows
// how many workers to start without loading the app.
const { env: startupEnv } = await import("./app/.server/env");

// Node's default prints the error as plain text, with whatever its properties hold (ioredis'
// errors carry the failed command's arguments: room keys, member ids, sealed bytes). One redacted
// JSON line instead, then the exit Node would have made anyway.
const { logger: processLogger } = await import("./app/.server/logger");
for (const event of ["uncaughtException", "unhandledRejection"] as const) {
  process.on(event, (error: unknown) => {
    processLogger.fatal({ err: error }, event);
    process.exit(1);
  });
}
if (readEnvFile && cluster.isPrimary) processLogger.info("read settings from .env (the environment's own win)");

// This file's real folder (`build` is a link to it when built locally): its build stays whatever
// later builds do.
const buildDir = path.dirname(fileURLToPath(import.meta.url));
if (cluster.isPrimary) markBuildInUse(buildDir);

if (cluster.isPrimary && startupEnv.WEB_CONCURRENCY > 1) {
  processLogger.info({ workers: startupEnv.WEB_CONCURRENCY }, "starting workers");
  runPrimary({
    workers: startupEnv.WEB_CONCURRENCY,
    shutdownTimeoutMs: startupEnv.SHUTDOWN_TIMEOUT_MS,
    logger: processLogger,
  });
} else {
  await serve();
}

async function serve() {
  const build = (await import(path.join(buildDir, "server/index.js"))) as AppBuild;
  const { env, logger, closeServices, metricsRegistry, startServices } = build.entry.module.serverApi;
  // Not awaited, as the server starts listening meanwhile: the check's few Redis commands never
  // hold up /healthz, and a refusal ends the process within moments of its start either way.
  void startServices().then((mayServe) => {
    if (!mayServe) process.exit(1);
  });

  const shutdown = new ShutdownCoordinator();
  const metrics = cluster.isWorker ? workerMetrics(metricsRegistry) : metricsRegistry;
  const server = http.createServer(
    {
      // Node's defaults let a client take five minutes over a body and one over a head: a few
      // hundred slow senders held as many connections for minutes. Expiry is checked every second
      // (Node's default is every 30 s, which would double a short timeout). An event stream's
      // request is complete once its head has arrived, so these never cut a stream.
      requestTimeout: env.REQUEST_TIMEOUT_MS,
      headersTimeout: env.HEADERS_TIMEOUT_MS,
      connectionsCheckingInterval: 1000,
    },
    createHttpApp(build, path.join(buildDir, "client"), shutdown, metrics),
  );
  server.keepAliveTimeout = env.KEEP_ALIVE_TIMEOUT_MS;
  // Node's default accept queue (511) overflows when many connections arrive at once, as when every
  // open tab reconnects its event stream after a deploy; the kernel then drops the surplus and each
  // client retries after 1, 3, 7… seconds. The kernel caps this at net.core.somaxconn.
  server.listen({ port: env.PORT, host: env.HOST, backlog: 4096 }, () => {
    logger.info(`Ephemera listening on http://localhost:${env.PORT}`);
  });

  function stop(reason: string) {
    if (shutdown.stopping) return;
    logger.info({ reason, openStreams: shutdown.openStreams }, "shutting down");
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
  // A worker whose primary is gone (killed, crashed) exits at once: node:cluster does that itself.
}
