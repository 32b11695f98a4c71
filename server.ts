/**
 * The production HTTP server that `npm start` runs (and the container). Unlike remix-serve it
 * writes no access log: request URLs contain room ids, which must never reach a log.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import type * as entry from "./app/entry.server";
import compression from "compression";
import express from "express";

const buildDir = path.dirname(fileURLToPath(import.meta.url));
const serverBuildPath = path.join(buildDir, "server/index.js");
const build = (await import(serverBuildPath)) as ServerBuild & { entry: { module: typeof entry } };
// Importing the build validated the environment (a bad value has already stopped the process).
const { env, closeServices, logger } = build.entry.module;

const app = express();
app.disable("x-powered-by");
app.use(
  compression({
    // An event stream must reach the browser event by event, never held back by a compressor.
    filter: (req, res) =>
      !String(res.getHeader("Content-Type") ?? "").startsWith("text/event-stream") &&
      compression.filter(req, res),
  }),
);
// Fingerprinted assets never change; everything else in public/ may.
app.use("/assets", express.static(path.join(buildDir, "client/assets"), { immutable: true, maxAge: "1y" }));
app.use(express.static(path.join(buildDir, "client"), { maxAge: "1h" }));
app.all("*", createRequestHandler({ build, mode: env.NODE_ENV }));

const server = app.listen(env.PORT, env.HOST, () => {
  logger.info(`Ephemera listening on http://localhost:${env.PORT}`);
});

let stopping = false;
function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info(`${signal}: shutting down`);
  // Stop accepting, drop idle keep-alive sockets, and cut open event streams: their clients
  // reconnect (to another instance, behind a load balancer) and resume from their last event id.
  server.close();
  server.closeIdleConnections();
  server.closeAllConnections();
  const forceExit = setTimeout(() => process.exit(0), 10_000);
  forceExit.unref();
  void closeServices().finally(() => process.exit(0));
}
process.once("SIGTERM", () => shutdown("SIGTERM"));
process.once("SIGINT", () => shutdown("SIGINT"));
