import { refuseLikeTrpc } from "../app/.server/transport/refuse";
import type { NodeMiddleware } from "./node-middleware";

/** The unread body makes the connection unusable for a next request. */
const CLOSE = { Connection: "close" };

/**
 * Caps request bodies before anything reads them. Node's parser already stops a body at its
 * declared Content-Length, so a declared length is a hard bound; a body without one is refused.
 * The answer is tRPC-shaped so the client shows the message. Plain Node types: it runs in front
 * of Express and in the hot lane alike.
 */
export function bodyLimit(limitFor: number | ((path: string) => number)): NodeMiddleware {
  return (req, res, next) => {
    if (req.method === "GET" || req.method === "HEAD" || req.method === "OPTIONS") return next();
    const maxBytes = typeof limitFor === "number" ? limitFor : limitFor((req.url ?? "/").split("?")[0] ?? "/");
    const declared = req.headers["content-length"];
    if (declared === undefined) {
      if (!req.headers["transfer-encoding"]) return next();
      return refuseLikeTrpc(res, 411, "LENGTH_REQUIRED", "Request bodies must declare a Content-Length", CLOSE);
    }
    const length = Number(declared);
    if (!Number.isSafeInteger(length) || length < 0) {
      return refuseLikeTrpc(res, 400, "BAD_REQUEST", "Content-Length is not a valid number", CLOSE);
    }
    if (length > maxBytes) {
      return refuseLikeTrpc(res, 413, "PAYLOAD_TOO_LARGE", `Request body too large: at most ${maxBytes} bytes`, CLOSE);
    }
    next();
  };
}
