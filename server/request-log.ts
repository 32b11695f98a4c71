import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { redactPath } from "../app/.server/redact";
import type { NodeMiddleware } from "./node-middleware";

const QUIET_PATHS = new Set(["/healthz", "/readyz", "/metrics"]);

/**
 * One JSON line per finished request, with an id the response echoes as X-Request-Id. At a level
 * that writes no request lines (`warn` and above) a request costs only its id: no timer, no
 * `close` listener, no entry, as every send and receipt goes through here.
 */
export function requestLog(logger: Logger): NodeMiddleware {
  return (req, res, next) => {
    const incoming = header(req.headers["x-request-id"]) ?? header(req.headers["fly-request-id"]);
    const requestId = incoming && /^[\w-]{1,128}$/.test(incoming) ? incoming : randomUUID();
    res.setHeader("X-Request-Id", requestId);
    // Quiet paths log at debug, which is below info: without info there is nothing to write.
    if (!logger.isLevelEnabled("info")) return next();
    const started = performance.now();
    // Taken now, as the client asked for it: later steps may send the request elsewhere (an
    // undecodable path goes to the app's page for it, http-app.ts).
    const url = req.url ?? "/";
    res.on("close", () => {
      const path = redactPath(url);
      const entry = {
        reqId: requestId,
        method: req.method,
        path,
        status: res.statusCode,
        ms: Math.floor(performance.now() - started),
        aborted: !res.writableFinished || undefined,
      };
      if (QUIET_PATHS.has(path)) logger.debug(entry, "request");
      else logger.info(entry, "request");
    });
    next();
  };
}

const header = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
