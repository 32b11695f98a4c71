import type { ServerResponse } from "node:http";
import type { NodeMiddleware } from "./node-middleware";

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
      return refuse(res, 411, "LENGTH_REQUIRED", "Request bodies must declare a Content-Length");
    }
    const length = Number(declared);
    if (!Number.isSafeInteger(length) || length < 0) {
      return refuse(res, 400, "BAD_REQUEST", "Content-Length is not a valid number");
    }
    if (length > maxBytes) {
      return refuse(res, 413, "PAYLOAD_TOO_LARGE", `Request body too large: at most ${maxBytes} bytes`);
    }
    next();
  };
}

function refuse(res: ServerResponse, status: number, code: string, message: string) {
  const body = JSON.stringify({ error: { json: { message, code: -32600, data: { code, httpStatus: status } } } });
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(body), Connection: "close" });
  res.end(body);
}

