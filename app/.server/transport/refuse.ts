import type { ServerResponse } from "node:http";
import { TRPC_ERROR_CODES_BY_KEY } from "@trpc/server/rpc";

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
  // The JSON-RPC number tRPC gives the code; codes of HTTP's own (LENGTH_REQUIRED) have none.
  const jsonRpcCode = TRPC_ERROR_CODES_BY_KEY[code as keyof typeof TRPC_ERROR_CODES_BY_KEY] ?? -32600;
  const body = JSON.stringify({ error: { json: { message, code: jsonRpcCode, data: { code, httpStatus: status } } } });
  res.writeHead(status, {
    ...headers,
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(body),
  });
  res.end(body);
}
