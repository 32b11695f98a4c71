import type { ServerResponse } from "node:http";

/**
 * Refuses a request before tRPC runs (the body limit, a path that does not decode), in the shape
 * tRPC's client reads: `error.json` with a message, the JSON-RPC code and the tRPC code and
 * HTTP status, so the browser shows the message like any other API error.
 */
export function refuseLikeTrpc(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify({ error: { json: { message, code: -32600, data: { code, httpStatus: status } } } });
  res.writeHead(status, { ...headers, "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}
