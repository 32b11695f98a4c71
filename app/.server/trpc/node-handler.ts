import type { IncomingMessage, ServerResponse } from "node:http";
import { nodeHTTPRequestHandler } from "@trpc/server/adapters/node-http";
import { env } from "../env";
import { getServices } from "../services";
import { createContext, type HeaderReader } from "./context";
import { trpcHandlerOptions } from "./handler-options";
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
 */
export function handleTrpcRequest(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  if (path === "room.events" && req.method === "GET") {
    return serveRoomEvents(req, res, createContext(nodeHeaders(req), getServices(), req.socket.remoteAddress));
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
