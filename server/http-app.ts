import path from "node:path";
import zlib from "node:zlib";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import compression from "compression";
import express from "express";
import expressStaticGzip from "express-static-gzip";
import type * as entry from "../app/entry.server";
import { SEALED_IMAGE_MAX_BYTES } from "../app/shared/limits";
import { STATUS_CODES, type RequestListener } from "node:http";
import { bodyLimit } from "./body-limit";
import type { MetricsSource } from "./cluster-metrics";
import type { ShutdownCoordinator } from "./graceful-shutdown";
import { healthRoutes } from "./health";
import { withHotLane } from "./hot-lane";
import { metricsRoute } from "./metrics-route";
import { redactPath } from "../app/.server/redact";
import { requestLog } from "./request-log";
import { cspNonce, fixedSecurityHeaders, securityHeaders } from "./security-headers";

const IMAGE_PATH = /^\/api\/rooms\/[^/]+\/images\/[^/]+$/;

/** What the servers run of the app: app/.server/server-api.ts, carried in the build by its entry. */
export type ServerApi = typeof entry.serverApi;
export type AppBuild = ServerBuild & { entry: { module: Pick<typeof entry, "serverApi"> } };

/** The production HTTP pipeline in front of Remix, in the order a request meets it. */
export function createHttpApp(
  build: AppBuild,
  clientDir: string,
  shutdown: ShutdownCoordinator,
  metrics: MetricsSource,
): RequestListener {
  const { env, logger, checkStore, handleTrpcRequest, isHotTrpcRequest, serveHotTrpcRequest } =
    build.entry.module.serverApi;
  const production = env.NODE_ENV === "production";
  const track = shutdown.track;
  const log = requestLog(logger);
  const apiHeaders = fixedSecurityHeaders(production);
  // Sealed images are the one large body; their route also stops reading at the same cap.
  const limitBodies = bodyLimit((path) => (IMAGE_PATH.test(path) ? SEALED_IMAGE_MAX_BYTES : env.MAX_BODY_BYTES));
  const app = express();
  app.disable("x-powered-by");
  app.use(track);
  app.use(log);
  app.use(
    healthRoutes({
      checkStore: () => (shutdown.stopping ? Promise.reject(new Error("shutting down")) : checkStore()),
    }),
  );
  app.use(metricsRoute(metrics, env.METRICS_TOKEN));
  app.use(
    compression({
      // Brotli's default 4 MB window is allocated per response: for pages of a few KB
      // that set-up cost more than the compression (about a millisecond per room page), and a
      // 64 KB window compresses even the largest script within 1 % of it.
      brotli: { params: { [zlib.constants.BROTLI_PARAM_LGWIN]: 16 } },
      // An event stream must reach the browser event by event, never held back by a compressor.
      // JSON answers (loader data, the route manifest, tRPC queries) are a few hundred bytes, or
      // ciphertext that barely compresses; Remix sends them without a length, so the 1 KB
      // threshold never spared them, and compressing them cost about 1 ms of CPU per room created
      // (decision 010). Pages are what compression is for.
      filter: (req, res) => {
        const type = String(res.getHeader("Content-Type") ?? "");
        return (
          !type.startsWith("text/event-stream") && !type.startsWith("application/json") && compression.filter(req, res)
        );
      },
    }),
  );
  app.use(limitBodies);
  // The rest of tRPC goes straight to it too, ahead of static files and page rendering.
  app.use("/api/trpc", apiHeaders, (req, res, next) => {
    handleTrpcRequest(req, res, req.path.slice(1)).catch(next);
  });
  app.use(cspNonce, securityHeaders({ production }));
  app.use(undecodablePaths);
  // Fingerprinted assets never change; everything else in public/ may. Every file served has an
  // extension and no page does: a page request skips the static handler's filesystem lookup (a
  // failed stat and its error object on every page load, ~3 % of the server's CPU in churn).
  // Scripts and styles come compressed from the build (vite.config.ts): sent as they are, not
  // compressed again on every download (a 220 KB script cost 5-7 ms of CPU each time).
  const assets = expressStaticGzip(path.join(clientDir, "assets"), {
    enableBrotli: true,
    orderPreference: ["br", "gz"],
    serveStatic: { immutable: true, maxAge: "1y" },
  });
  const publicFiles = express.static(clientDir, { maxAge: "1h" });
  app.use("/assets", onlyFiles(assets));
  app.use(onlyFiles(publicFiles));
  app.use(pagesOnlyRead);
  app.all(
    "*",
    createRequestHandler({
      build,
      mode: env.NODE_ENV,
      getLoadContext: (req, res) => ({
        cspNonce: res.locals.cspNonce,
        clientAddress: req.socket.remoteAddress,
        undecodablePath: res.locals.undecodablePath === true,
      }),
    }),
  );
  app.use(errorHandler(logger));
  return withHotLane(app, {
    isHot: isHotTrpcRequest,
    serve: serveHotTrpcRequest,
    chain: [track, log, apiHeaders, limitBodies],
    logger,
  });
}

/**
 * Express's own final handler prints the error's stack, message and all (an undecodable URL's
 * message is the whole path, room id included), as several lines of plain text. Here it is one
 * redacted JSON line; a client's mistake (400 for a URL that does not decode) is debug only.
 */
function errorHandler(logger: ServerApi["logger"]): express.ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const { status: declaredStatus, statusCode } = (error ?? {}) as { status?: unknown; statusCode?: unknown };
    const declared = declaredStatus ?? statusCode;
    const status = typeof declared === "number" && declared >= 400 && declared < 600 ? declared : 500;
    const entry = { method: req.method, path: redactPath(req.originalUrl), status, err: error };
    if (status < 500) logger.debug(entry, "request refused");
    else logger.error(entry, "request failed");
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res
      .status(status)
      .type("text/plain")
      .send(STATUS_CODES[status] ?? "Error");
  };
}

/**
 * No page has a form to post to (the API lives under /api/). Remix answered such a request with
 * a 405 and a stack in the log, and one from a foreign Origin with a 500 and an empty body (its
 * CSRF check throws before any route runs).
 */
const pagesOnlyRead: express.RequestHandler = (req, res, next) => {
  if (req.method === "GET" || req.method === "HEAD" || req.path.startsWith("/api/")) return next();
  res
    .status(405)
    .set({ Allow: "GET, HEAD", "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" })
    .send("Pages can only be read (GET): nothing here accepts a form.");
};

/**
 * A path that does not decode (`/room/%E0%A4%A`, a link cut mid-escape) met Express's route
 * matching, which answered a bare text "Bad Request", and Remix would print the whole path to the
 * console, room id and all. Such a request is sent to the app's own page for it instead (400, in
 * the app's look); the request log has already taken the path the client asked for.
 */
const undecodablePaths: express.RequestHandler = (req, res, next) => {
  try {
    decodeURIComponent(req.path);
  } catch {
    res.locals.undecodablePath = true;
    req.url = req.originalUrl = "/bad-address";
  }
  next();
};

const FILE_NAME = /\/[^/]*\.[^/]+$/;

/** Passes only requests for a file name (something.ext) to `serve`; everything else goes on. */
function onlyFiles(serve: express.RequestHandler): express.RequestHandler {
  return (req, res, next) => (FILE_NAME.test(req.path) ? serve(req, res, next) : next());
}
