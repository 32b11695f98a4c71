import type { IncomingMessage, ServerResponse } from "node:http";
import { nodeHTTPRequestHandler } from "@trpc/server/adapters/node-http";
import { env } from "../env";
import { getServices } from "../services";
import { createContext, type HeaderReader } from "./context";
import { trpcHandlerOptions } from "./handler-options";
import { isMutationBatch, serveMutationBatch } from "./mutation-batch";
import { serveRoomEvents } from "./room-events-sse";

function nodeHeaders(req: IncomingMessage): HeaderReader {
  return {
    get(name) {
      const value = req.headers[name.toLowerCase()];
      return Array.isArray(value) ? value.join(", ") : (value ?? null);
    },
  };
}

/**
 * tRPC served straight from the Node server in production: no Remix routing or request
 * conversion on the hot path (every send, every event stream). Same router, same context.
 * Event streams and mutations take direct paths that speak tRPC's wire format without its
 * per-request Fetch machinery; everything else goes through tRPC's Node adapter.
 */
export function handleTrpcRequest(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const context = () => createContext(nodeHeaders(req), getServices(), req.socket.remoteAddress);
  if (path === "room.events" && req.method === "GET") return serveRoomEvents(req, res, context());
  if (isMutationBatch(req, path, trpcHandlerOptions.router)) {
    const search = new URLSearchParams(req.url?.split("?")[1] ?? "");
    return serveMutationBatch(req, res, path, search, { ...trpcHandlerOptions, maxBodyBytes: env.MAX_BODY_BYTES, createContext: context });
  }
  return nodeHTTPRequestHandler({
    ...trpcHandlerOptions,
    req,
    res,
    path,
    maxBodySize: env.MAX_BODY_BYTES,
    createContext: ({ req: request }) => createContext(nodeHeaders(request), getServices(), request.socket?.remoteAddress),
  });
}
