import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { runChain, type NodeMiddleware } from "./node-middleware";

const TRPC_ENDPOINT = "/api/trpc";
const TRPC_PREFIX = `${TRPC_ENDPOINT}/`;

type Serve = (req: IncomingMessage, res: ServerResponse, path: string) => Promise<void>;

export interface HotLaneOptions {
  /** Whether the request (its path after /api/trpc/) is one of the hot ones. */
  isHot: (req: IncomingMessage, path: string) => boolean;
  serve: Serve;
  /** What every API request passes through on the way: tracking, logging, headers, body limit. */
  chain: readonly NodeMiddleware[];
  logger: Logger;
}

/**
 * What follows /api/trpc/ in `url` (up to its query), "" for the endpoint itself, null for any
 * other URL. Not URL-decoded: procedure paths are plain ASCII, and anything encoded is for
 * the general path (tRPC's adapter).
 */
export function trpcPath(url = "/"): string | null {
  if (url.startsWith(TRPC_PREFIX)) return url.slice(TRPC_PREFIX.length).split("?")[0] ?? "";
  return url === TRPC_ENDPOINT || url.startsWith(`${TRPC_ENDPOINT}?`) ? "" : null;
}

/**
 * Runs `chain`, then `serve`. A failure of either is one redacted log line and a bare 500: what
 * fails here is the server's fault, and tRPC's own errors never reach it.
 */
export function throughChain(chain: readonly NodeMiddleware[], serve: Serve, logger: Logger) {
  return (req: IncomingMessage, res: ServerResponse, path: string): void => {
    const fail = (error: unknown) => {
      logger.error({ err: { message: String(error) } }, "hot lane request failed");
      if (!res.headersSent) res.writeHead(500, { "Content-Type": "application/json" });
      res.end();
    };
    runChain(chain, req, res, () => void serve(req, res, path).catch(fail), fail);
  };
}

/**
 * Event streams, mutation batches (every send, receipt and typing signal) and query batches skip
 * Express: its router, the compression wrapper (never used for any of them: answers are small or
 * ciphertext, and streams must not be buffered) and its request/response decoration cost every
 * message and every open stream (bench/README.md, decision 009). They still pass the same
 * shutdown tracking, request log, security headers and body limit as every other request.
 * Everything else goes to `app`.
 */
export function withHotLane(app: RequestListener, { isHot, serve, chain, logger }: HotLaneOptions): RequestListener {
  const lane = throughChain(chain, serve, logger);
  return (req, res) => {
    const path = trpcPath(req.url);
    if (path === null || !isHot(req, path)) return app(req, res);
    lane(req, res, path);
  };
}
