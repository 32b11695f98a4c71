import type { ServerResponse } from "node:http";

/** Node's own name for a response's header table (`lib/_http_outgoing.js`). */
const OUT_HEADERS = "kOutHeaders";

/**
 * `res.writeHead(200, headers)` with whatever the request's middleware set (the security headers,
 * the request id) sent first, for a response that lives as long as a tab. Node keeps the table
 * `setHeader` filled (a dictionary-mode object of a dozen headers) until the response ends, though
 * the head is written once; handed to `writeHead` as one list instead, they are written and let go
 * (bench/README.md: about 2.9 KB less heap per open stream). Should a Node release rename its table,
 * the head is the same and the table is merely kept.
 */
export function writeLastingHead(res: ServerResponse, headers: Record<string, string>): void {
  const all = { ...res.getHeaders(), ...headers };
  const table = Object.getOwnPropertySymbols(res).find((symbol) => symbol.description === OUT_HEADERS);
  if (table === undefined) {
    res.writeHead(200, headers);
    return;
  }
  (res as unknown as Record<symbol, unknown>)[table] = null;
  const list: string[] = [];
  for (const [name, value] of Object.entries(all)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) list.push(name, String(one));
  }
  res.writeHead(200, list);
}

/** What stands in for a written head: Node asks only whether there is one. */
const HEAD_WRITTEN = "\r\n";

/**
 * Node keeps a response's head (`_header`, its text: some 470 bytes for an event stream) until the
 * response ends, though once the first write has taken it along, Node only asks whether there is
 * one (`headersSent`, and `writeHead` refusing a second). An event stream lives as long as its
 * tab; in its place stays a two-byte stand-in. Once `res.write` has run, `_headerSent` says the
 * text is on its way; should a Node release ever not say so, the head is kept as it was.
 */
export function letGoOfHead(res: ServerResponse): void {
  const response = res as unknown as { _header?: unknown; _headerSent?: unknown };
  if (response._headerSent === true && typeof response._header === "string") response._header = HEAD_WRITTEN;
}

/**
 * Where a lasting response's body goes once its head is out: its connection itself, when the
 * response owns it (Node's `_httpMessage`) and the body is written raw (no chunked framing), so
 * each event is one `socket.write`. Through `res.write`, Node corks the connection and schedules
 * a tick to uncork it for every write, to gather a head and body that are long gone. A response
 * queued behind another on its connection (a pipelined request) writes through `res` as before.
 */
export function bodyTarget(res: ServerResponse): Pick<ServerResponse, "write" | "writableLength" | "destroyed"> {
  const socket = res.socket as (NonNullable<ServerResponse["socket"]> & { _httpMessage?: unknown }) | null;
  const raw = (res as unknown as { chunkedEncoding?: unknown }).chunkedEncoding === false;
  return socket && socket._httpMessage === res && raw && res.headersSent ? socket : res;
}
