import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { redactPath } from "../app/.server/redact";
import type { NodeMiddleware } from "./node-middleware";

const QUIET_PATHS = new Set(["/healthz", "/readyz", "/metrics"]);

/** One JSON line per finished request, with an id the response echoes as X-Request-Id. */
export function requestLog(logger: Logger): NodeMiddleware {
  return (req, res, next) => {
    const incoming = header(req.headers["x-request-id"]) ?? header(req.headers["fly-request-id"]);
    const requestId = incoming && /^[\w-]{1,128}$/.test(incoming) ? incoming : randomUUID();
    res.setHeader("X-Request-Id", requestId);
    const started = process.hrtime.bigint();
    // Taken now, as the client asked for it: later steps may send the request elsewhere (an
    // undecodable path goes to the app's page for it, http-app.ts).
    const path = redactPath(req.url ?? "/");
    res.on("close", () => {
      const entry = {
        reqId: requestId,
        method: req.method,
        path,
        status: res.statusCode,
        ms: Number((process.hrtime.bigint() - started) / 1_000_000n),
        aborted: !res.writableFinished || undefined,
      };
      if (QUIET_PATHS.has(path)) logger.debug(entry, "request");
      else logger.info(entry, "request");
    });
    next();
  };
}

const header = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
