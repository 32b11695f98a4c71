import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { runChain, type NodeMiddleware } from "./node-middleware";

const TRPC_PREFIX = "/api/trpc/";

export interface HotLaneOptions {
  /** Whether the request (its path after /api/trpc/) is one of the hot ones. */
  isHot: (req: IncomingMessage, path: string) => boolean;
  serve: (req: IncomingMessage, res: ServerResponse, path: string) => Promise<void>;
  /** What every API request passes through on the way: tracking, logging, headers, body limit. */
  chain: readonly NodeMiddleware[];
  logger: Logger;
}

/**
 * Event streams and mutation batches (every send, receipt and typing signal) skip Express:
 * its router, the compression wrapper (never used for either: answers are small, and streams
 * must not be buffered) and its request/response decoration cost every message and every open
 * stream (bench/README.md, decision 009). They still pass the same shutdown tracking, request
 * log, security headers and body limit as every other request. Everything else goes to `app`.
 */
export function withHotLane(app: RequestListener, { isHot, serve, chain, logger }: HotLaneOptions): RequestListener {
  return (req, res) => {
    const url = req.url ?? "/";
    // Not URL-decoded: procedure paths are plain ASCII, and anything encoded goes to Express.
    const path = url.startsWith(TRPC_PREFIX) ? (url.slice(TRPC_PREFIX.length).split("?")[0] ?? "") : null;
    if (path === null || !isHot(req, path)) return app(req, res);
    const fail = (error: unknown) => {
      logger.error({ err: { message: String(error) } }, "hot lane request failed");
      if (!res.headersSent) res.writeHead(500, { "Content-Type": "application/json" });
      res.end();
    };
    runChain(chain, req, res, () => void serve(req, res, path).catch(fail), fail);
  };
}
