import type { RequestHandler } from "express";

/**
 * Caps request bodies before anything reads them. Node's parser already stops a body at its
 * declared Content-Length, so a declared length is a hard bound; a body without one is refused.
 * The answer is tRPC-shaped so the client shows the message.
 */
export function bodyLimit(limitFor: number | ((path: string) => number)): RequestHandler {
  return (req, res, next) => {
    if (req.method === "GET" || req.method === "HEAD" || req.method === "OPTIONS") return next();
    const maxBytes = typeof limitFor === "number" ? limitFor : limitFor(req.path);
    const declared = req.get("content-length");
    if (declared === undefined) {
      if (!req.get("transfer-encoding")) return next();
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

function refuse(res: Parameters<RequestHandler>[1], status: number, code: string, message: string) {
  res.setHeader("Connection", "close");
  res.status(status).json({ error: { json: { message, code: -32600, data: { code, httpStatus: status } } } });
}
