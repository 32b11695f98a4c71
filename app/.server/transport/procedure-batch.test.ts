import http, { type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { nodeHTTPRequestHandler } from "@trpc/server/adapters/node-http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { joinAsNewVisitor, makeServices } from "../../../tests/support/app";
import { opaque } from "../../../tests/support/opaque";
import type { Services } from "../services";
import { createContext } from "../trpc/context";
import { trpcHandlerOptions } from "./handler-options";
import { isProcedureBatch, serveProcedureBatch } from "./procedure-batch";

const MAX_BODY_BYTES = 4096;

const headersOf = (req: IncomingMessage) => ({
  get: (name: string) => {
    const value = req.headers[name.toLowerCase()];
    return Array.isArray(value) ? value.join(", ") : (value ?? null);
  },
});

/** A server answering /api/trpc/<path> with either the direct path or tRPC's own Node adapter. */
function serve(services: Services, direct: boolean) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname.replace(/^\/api\/trpc\//, "");
    const createContextForRequest = () => createContext(headersOf(req), services, "203.0.113.9");
    if (direct) {
      if (!isProcedureBatch(req, path, trpcHandlerOptions.router)) {
        res.writeHead(418).end();
        return;
      }
      void serveProcedureBatch(req, res, path, url.searchParams, {
        ...trpcHandlerOptions,
        maxBodyBytes: MAX_BODY_BYTES,
        createContext: createContextForRequest,
      });
      return;
    }
    void nodeHTTPRequestHandler({
      ...trpcHandlerOptions,
      req,
      res,
      path,
      maxBodySize: MAX_BODY_BYTES,
      createContext: createContextForRequest,
    });
  });
  return new Promise<{ url: string; close: () => void }>((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}`, close: () => server.close() });
    });
  });
}

interface Answer {
  status: number;
  contentType: string | null;
  vary: string | null;
  retryAfter: string | null;
  body: unknown;
}

/** Stack traces differ between any two call sites; everything else must match byte for byte. */
function withoutStacks(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutStacks);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => key !== "stack")
        .map(([key, inner]) => [key, withoutStacks(inner)]),
    );
  }
  return value;
}

/** A mutation (POST with `body`), or a query (GET) when `body` is undefined. */
async function ask(base: string, path: string, body: string | undefined, cookie?: string): Promise<Answer> {
  const response = await fetch(`${base}/api/trpc/${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...(cookie ? { cookie } : {}) },
    body,
  });
  const text = await response.text();
  return {
    status: response.status,
    contentType: response.headers.get("content-type"),
    vary: response.headers.get("vary"),
    retryAfter: response.headers.get("retry-after"),
    body: withoutStacks(JSON.parse(text)),
  };
}

describe("queries and mutations on the direct path answer exactly as tRPC's Node adapter does", () => {
  let services: Services;
  let limited: Services;
  const servers: Array<{ url: string; close: () => void }> = [];
  let roomId: string;
  let member: string;
  let outsider: string;

  beforeAll(async () => {
    services = makeServices("memory");
    limited = makeServices("memory", {
      RATE_LIMITS: "on",
      RATE_LIMIT_MESSAGES_PER_SECOND: "1",
      RATE_LIMIT_MESSAGE_BURST: "0",
    });
    for (const target of [services, limited])
      for (const direct of [true, false]) servers.push(await serve(target, direct));
    const created = await ask(servers[0]!.url, "room.create?batch=1", JSON.stringify({ 0: { json: {} } }));
    roomId = (created.body as Array<{ result: { data: { json: { roomId: string } } } }>)[0]!.result.data.json.roomId;
    member = await joinAsNewVisitor(services, roomId);
    const otherRoom = (await ask(servers[0]!.url, "room.create", JSON.stringify({ json: {} }))).body as {
      result: { data: { json: { roomId: string } } };
    };
    outsider = await joinAsNewVisitor(services, otherRoom.result.data.json.roomId);
  });
  afterAll(() => servers.forEach((server) => server.close()));

  const send = (clientId: string, ciphertext = opaque("hello")) => ({ json: { roomId, ciphertext, clientId } });

  // Each request goes to both; a send is repeated with its clientId, so both store nothing new
  // after the first and answer with the same message.
  const cases: Array<[string, string, () => string, () => string | undefined]> = [
    ["a batch of one send", "message.send?batch=1", () => JSON.stringify({ 0: send("same-send") }), () => member],
    ["one send without batching", "message.send", () => JSON.stringify(send("same-send")), () => member],
    [
      "a send and a receipt in one batch",
      "message.send,message.receipt?batch=1",
      () => JSON.stringify({ 0: send("same-send"), 1: { json: { roomId, seen: 1 } } }),
      () => member,
    ],
    [
      "a field that fails validation",
      "message.send?batch=1",
      () => JSON.stringify({ 0: send("x", "short") }),
      () => member,
    ],
    [
      "a batch where one call fails: 207",
      "message.send,message.send?batch=1",
      () => JSON.stringify({ 0: send("same-send"), 1: send("") }),
      () => member,
    ],
    ["no seat in the room", "message.send?batch=1", () => JSON.stringify({ 0: send("z") }), () => outsider],
    ["no cookie at all", "room.destroy?batch=1", () => JSON.stringify({ 0: { json: { roomId } } }), () => undefined],
    [
      "a room that does not exist",
      "message.send?batch=1",
      () => JSON.stringify({ 0: { json: { roomId: "A".repeat(21), ciphertext: opaque("x"), clientId: "q" } } }),
      () => member,
    ],
    ["a body that is not JSON", "message.send?batch=1", () => "{not json", () => member],
    ["a batch body that is not an object", "message.send?batch=1", () => "[1]", () => member],
    ["an empty body", "message.send?batch=1", () => "", () => member],
    [
      "a missing input in a batch",
      "room.create,message.send?batch=1",
      () => JSON.stringify({ 0: { json: { ttlSeconds: 5 } } }),
      () => member,
    ],
    [
      "a body over the limit",
      "message.send?batch=1",
      () => JSON.stringify({ 0: send("big", opaque("x".repeat(MAX_BODY_BYTES))) }),
      () => member,
    ],
  ];

  // Queries: the input is in the URL, `?input=` (URL-encoded JSON).
  const inUrl = (input: unknown) => encodeURIComponent(JSON.stringify(input));
  const queries: Array<[string, () => string, () => string | undefined]> = [
    ["a batch of one query", () => `message.list?batch=1&input=${inUrl({ 0: { json: { roomId } } })}`, () => member],
    ["one query without batching", () => `message.list?input=${inUrl({ json: { roomId } })}`, () => member],
    [
      "two queries in one batch",
      () => `message.list,account.me?batch=1&input=${inUrl({ 0: { json: { roomId } }, 1: { json: {} } })}`,
      () => member,
    ],
    ["a query with no input at all", () => "match.stats?batch=1", () => undefined],
    ["a query with an empty input", () => "match.stats?batch=1&input=", () => undefined],
    [
      "a query field that fails validation",
      () => `message.list?batch=1&input=${inUrl({ 0: { json: { roomId, after: "nope" } } })}`,
      () => member,
    ],
    ["a query input that is not JSON", () => `message.list?batch=1&input=${encodeURIComponent("{not")}`, () => member],
    ["a query batch input that is not an object", () => `message.list?batch=1&input=${inUrl([1])}`, () => member],
    [
      "a query without a seat",
      () => `message.list?batch=1&input=${inUrl({ 0: { json: { roomId } } })}`,
      () => outsider,
    ],
    [
      "a signed-in query without a session",
      () => `account.sessions?batch=1&input=${inUrl({ 0: { json: {} } })}`,
      () => undefined,
    ],
  ];

  for (const [name, path, body, cookie] of cases) {
    it(name, async () => {
      const [direct, adapter] = [
        await ask(servers[0]!.url, path, body(), cookie()),
        await ask(servers[1]!.url, path, body(), cookie()),
      ];
      expect(direct).toEqual(adapter);
    });
  }

  for (const [name, path, cookie] of queries) {
    it(name, async () => {
      const [direct, adapter] = [
        await ask(servers[0]!.url, path(), undefined, cookie()),
        await ask(servers[1]!.url, path(), undefined, cookie()),
      ];
      expect(direct).toEqual(adapter);
    });
  }

  it("covers successes and every kind of failure above (so the comparison is not of two empty answers)", async () => {
    const statuses = [];
    for (const [, path, body, cookie] of cases)
      statuses.push((await ask(servers[0]!.url, path, body(), cookie())).status);
    expect(new Set(statuses)).toEqual(new Set([200, 207, 400, 401, 404, 413]));
    const queryStatuses = [];
    for (const [, path, cookie] of queries)
      queryStatuses.push((await ask(servers[0]!.url, path(), undefined, cookie())).status);
    expect(new Set(queryStatuses)).toEqual(new Set([200, 400, 401]));
  });

  it("a rate-limited send: 429 with Retry-After, the same from both", async () => {
    const roomLimited = (
      (await ask(servers[2]!.url, "room.create", JSON.stringify({ json: {} }))).body as {
        result: { data: { json: { roomId: string } } };
      }
    ).result.data.json.roomId;
    const cookie = await joinAsNewVisitor(limited, roomLimited);
    const body = (clientId: string) =>
      JSON.stringify({ 0: { json: { roomId: roomLimited, ciphertext: opaque("hi"), clientId } } });
    await ask(servers[2]!.url, "message.send?batch=1", body("first"), cookie);
    const [direct, adapter] = [
      await ask(servers[2]!.url, "message.send?batch=1", body("second"), cookie),
      await ask(servers[3]!.url, "message.send?batch=1", body("third"), cookie),
    ];
    expect(direct.status).toBe(429);
    expect(direct.retryAfter).toMatch(/^\d+$/);
    expect(direct).toEqual(adapter);
  });

  it("takes GETs of queries and JSON POSTs of mutations, leaving the rest to tRPC's adapter", () => {
    const request = (method: string, headers: Record<string, string>) =>
      ({ method, headers }) as unknown as IncomingMessage;
    const json = { "content-type": "application/json" };
    const { router } = trpcHandlerOptions;
    expect(isProcedureBatch(request("POST", json), "message.send,room.typing", router)).toBe(true);
    expect(isProcedureBatch(request("GET", {}), "chat.list", router)).toBe(true);
    expect(isProcedureBatch(request("GET", {}), "message.list,room.ttl", router)).toBe(true);
    expect(isProcedureBatch(request("POST", json), "message.list", router)).toBe(false);
    expect(isProcedureBatch(request("POST", json), "message.send,message.list", router)).toBe(false);
    expect(isProcedureBatch(request("GET", json), "message.send", router)).toBe(false);
    expect(isProcedureBatch(request("GET", {}), "message.list,message.send", router)).toBe(false);
    expect(isProcedureBatch(request("GET", {}), "room.events", router)).toBe(false);
    expect(isProcedureBatch(request("HEAD", {}), "chat.list", router)).toBe(false);
    expect(isProcedureBatch(request("POST", {}), "message.send", router)).toBe(false);
    expect(
      isProcedureBatch(request("POST", { ...json, "trpc-accept": "application/jsonl" }), "message.send", router),
    ).toBe(false);
    expect(isProcedureBatch(request("GET", { accept: "application/jsonl" }), "chat.list", router)).toBe(false);
    expect(isProcedureBatch(request("POST", json), "room.nope", router)).toBe(false);
  });
});
