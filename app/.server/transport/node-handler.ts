import type { IncomingMessage, ServerResponse } from "node:http";
import { nodeHTTPRequestHandler } from "@trpc/server/adapters/node-http";
import { MAX_BATCH_CALLS } from "~/shared/limits";
import { env } from "../env";
import { getServices } from "../services";
import type { HeaderReader } from "../client-address";
import { createContext } from "../trpc/context";
import { trpcHandlerOptions } from "./handler-options";
import { isProcedureBatch, serveProcedureBatch } from "./procedure-batch";
import { refuseLikeTrpc } from "./refuse";
import { isLeanStream, serveRoomEvents } from "./room-events-sse";
import { crossSiteReason, CROSS_SITE_MESSAGE } from "./same-site";

function nodeHeaders(req: IncomingMessage): HeaderReader {
  return {
    get(name) {
      const value = req.headers[name.toLowerCase()];
      return Array.isArray(value) ? value.join(", ") : (value ?? null);
    },
  };
}

const contextFor = (req: IncomingMessage) => () =>
  createContext(nodeHeaders(req), getServices(), req.socket.remoteAddress);

/**
 * The kinds of tRPC request that make up nearly all of a busy server's traffic: event streams
 * (`room.events`, `chat.events`), mutation batches (every send, receipt and typing signal) and
 * query batches (a chat list, a room's messages). They have direct paths that speak tRPC's wire
 * format without its per-request Fetch machinery, and the server answers them ahead of Express
 * (server/hot-lane.ts). `path` is what follows /api/trpc/.
 */
export function isHotTrpcRequest(req: IncomingMessage, path: string): boolean {
  return (isLeanStream(path) && req.method === "GET") || isProcedureBatch(req, path, trpcHandlerOptions.router);
}

/** Answers a request `isHotTrpcRequest` accepted. */
export function serveHotTrpcRequest(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  if (isLeanStream(path)) return serveRoomEvents(req, res, contextFor(req)(), path);
  const search = new URLSearchParams(req.url?.split("?")[1] ?? "");
  if (refusedCrossSite(req, res) || refusedBatch(res, path, search)) return Promise.resolve();
  return serveProcedureBatch(req, res, path, search, {
    router: trpcHandlerOptions.router,
    onError: trpcHandlerOptions.onError,
    answerHeaders: trpcHandlerOptions.answerHeaders,
    maxBodyBytes: env.MAX_BODY_BYTES,
    createContext: contextFor(req),
  });
}

/**
 * tRPC served straight from the Node server, in production and under `npm run dev` alike
 * (server/dev-api.ts): no Remix routing or request conversion. Hot requests take their direct
 * paths; everything else goes through tRPC's Node adapter.
 */
export function handleTrpcRequest(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  if (isHotTrpcRequest(req, path)) return serveHotTrpcRequest(req, res, path);
  if (!isDecodable(path)) {
    // tRPC's adapter would answer 500 "URI malformed": it is the client's mistake.
    refuseLikeTrpc(res, 400, "BAD_REQUEST", "The procedure path is not valid URL encoding");
    return Promise.resolve();
  }
  if (refusedCrossSite(req, res)) return Promise.resolve();
  if (refusedBatch(res, path, new URLSearchParams(req.url?.split("?")[1] ?? ""))) return Promise.resolve();
  return nodeHTTPRequestHandler({
    ...trpcHandlerOptions,
    req,
    res,
    path,
    maxBodySize: env.MAX_BODY_BYTES,
    createContext: contextFor(req),
  });
}

/**
 * Refuses a POST (every mutation: rooms, messages, and sign-in and the rest of accounts) that a
 * page of another site sent, before its body is read or any procedure runs (same-site.ts).
 * Queries and event streams are GETs, which change nothing and are left alone.
 */
function refusedCrossSite(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method !== "POST" || crossSiteReason(nodeHeaders(req), getServices().trustProxy) === null) return false;
  refuseLikeTrpc(res, 403, "FORBIDDEN", CROSS_SITE_MESSAGE, { "Cache-Control": "no-store" });
  return true;
}

/**
 * Refuses a batch of more than MAX_BATCH_CALLS calls before anything is read or run: one GET of
 * 20 `message.list` calls on a full room once took 20 s and 1.5 GB. (tRPC's own `maxBatchSize`
 * refusal does not say what the limit is.)
 */
function refusedBatch(res: ServerResponse, path: string, search: URLSearchParams): boolean {
  if (search.get("batch") !== "1") return false;
  const calls = path.split(",", MAX_BATCH_CALLS + 1).length;
  if (calls <= MAX_BATCH_CALLS) return false;
  refuseLikeTrpc(res, 400, "BAD_REQUEST", `A batch may hold at most ${MAX_BATCH_CALLS} calls`, {
    "Cache-Control": "no-store",
  });
  return true;
}

function isDecodable(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}
