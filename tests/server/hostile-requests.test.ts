import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { MAX_BATCH_CALLS, SEALED_MESSAGE_MAX_LENGTH } from "~/shared/limits";
import { TEST_SECRET } from "../support/app";
import { startAppServer, type AppServer } from "../support/app-server";
import { opaque } from "../support/opaque";
import { serveOrdinaryReads, type ServerCpu, startMeasuredServer } from "../support/server-cpu";
import { memberOfNewRoom, type Visitor } from "../support/visitor";

/** What a 400 may cost the server, in ms of CPU: JSON parsing and an error answer, no more. */
const BUDGET_MS = 50;
/** superjson's `deserialize` recursed on this until the stack overflowed. */
const RUNAWAY = '{"json":{},"meta":{"values":"x"}}';
const CLASS_ANNOTATION = '{"json":{"roomId":"x"},"meta":{"values":{"roomId":["class","Evil"]},"v":1}}';
const PAGE_MAX_CHARS = 256 * 1024;

interface TrpcError {
  message: string;
  data: { code: string; httpStatus: number };
}

/** Every error in a tRPC answer (one, or one per call of a batch). */
function errorsIn(body: string): TrpcError[] {
  const parsed = JSON.parse(body) as unknown;
  const answers = (Array.isArray(parsed) ? parsed : [parsed]) as { error?: { json: TrpcError } }[];
  return answers.flatMap((answer) => (answer.error ? [answer.error.json] : []));
}

/** Sends every ciphertext in order, three at a time: three of 16 KB fit in one request's body. */
async function sendAll(sender: Visitor, roomId: string, ciphertexts: string[]): Promise<void> {
  for (let index = 0; index < ciphertexts.length; index += 3) {
    await Promise.all(
      ciphertexts
        .slice(index, index + 3)
        .map((ciphertext, offset) =>
          sender.trpc.message.send.mutate({ roomId, ciphertext, clientId: `c-${index + offset}` }),
        ),
    );
  }
}

/**
 * Requests no client of the app sends, over real HTTP against the production server on Redis:
 * each must be a clear 4xx that costs the server about what any 400 costs.
 */
describe("hostile requests against the production server", () => {
  let server: AppServer;
  let cpu: ServerCpu;
  let alice: Visitor;
  let roomId: string;

  beforeAll(async () => {
    ({ server, cpu } = await startMeasuredServer());
    ({ member: alice, roomId } = await memberOfNewRoom(server.url));
  });
  afterAll(() => server?.stop());

  const get = (path: string, input: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/api/trpc/${path}${path.includes("?") ? "&" : "?"}input=${encodeURIComponent(input)}`, {
      headers: { cookie: alice.cookieHeader(), ...headers },
    });
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/api/trpc/${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: alice.cookieHeader(), ...headers },
      body,
    });
  const batchOf = (envelope: string) => `{"0":${envelope}}`;

  /**
   * The same hostile input down every path: tRPC's adapter, the hot lane, batches, the event
   * stream. Streamed answers (JSONL, SSE) start with 200 and carry the error inside.
   */
  const everyPath = (envelope: string) => [
    { what: "a GET query", status: 400, send: () => get("room.ttl", envelope) },
    { what: "a batched GET query", status: 400, send: () => get("message.list?batch=1", batchOf(envelope)) },
    { what: "a POST mutation", status: 400, send: () => post("room.create", envelope) },
    { what: "a batched POST mutation", status: 400, send: () => post("message.receipt?batch=1", batchOf(envelope)) },
    {
      what: "a streamed (JSONL) batch",
      status: 200,
      send: () => post("room.typing?batch=1", batchOf(envelope), { "trpc-accept": "application/jsonl" }),
    },
    { what: "room.events", status: 200, send: () => get("room.events", envelope, { accept: "text/event-stream" }) },
  ];

  it("refuses a meta the app never sends, on every path, for what a 400 costs", async () => {
    await serveOrdinaryReads(server, alice.cookieHeader(), roomId);
    // Each path's error answer costs tens of ms the first time it runs (compilation): an
    // ordinary bad input takes that first.
    for (const { send } of everyPath(JSON.stringify({ json: { roomId: 1 } }))) await (await send()).text();
    for (const envelope of [RUNAWAY, CLASS_ANNOTATION]) {
      for (const { what, status, send } of everyPath(envelope)) {
        const { result, cpuMs } = await cpu.cheapest(3, BUDGET_MS, async () => {
          const response = await send();
          return { status: response.status, body: await response.text() };
        });
        expect(result.status, `${what}: ${result.body.slice(0, 200)}`).toBe(status);
        expect(result.body, what).toContain('"message":"input.meta.values: must be [\\"undefined\\"]');
        expect(cpuMs, `${what} cost the server ${cpuMs.toFixed(1)} ms of CPU`).toBeLessThan(BUDGET_MS);
      }
    }
    expect(server.output()).not.toMatch(/"level":50/);
  }, 60_000);

  it("refuses an input without superjson's json wrapper instead of reading it as no input", async () => {
    const bare = JSON.stringify({ ttlSeconds: 10 });
    const expected = 'input: must be superjson\'s {"json": …} envelope; "ttlSeconds" belongs inside "json"';
    for (const response of [await post("room.create", bare), await post("room.create?batch=1", batchOf(bare))]) {
      expect(response.status).toBe(400);
      expect(errorsIn(await response.text()).map((error) => error.message)).toEqual([expected]);
    }
    const query = await get("room.ttl", JSON.stringify({ roomId }));
    expect(query.status).toBe(400);
    expect(errorsIn(await query.text())[0]?.message).toBe(
      'input: must be superjson\'s {"json": …} envelope; "roomId" belongs inside "json"',
    );
    // What the app's client does send still works, input-less calls included.
    expect((await post("room.create", JSON.stringify({ json: { ttlSeconds: 10 } }))).status).toBe(200);
    expect(
      (await post("room.create", JSON.stringify({ json: null, meta: { values: ["undefined"], v: 1 } }))).status,
    ).toBe(200);
    expect((await alice.trpc.room.ttl.query({ roomId })).ttl).toBeGreaterThan(0);
  });

  it("answers a batch entry that is not an input with a plain 400, not the server's internals", async () => {
    for (const response of [
      await post("room.create?batch=1", '{"0":null}'),
      await get("room.ttl?batch=1", '{"0":null}'),
    ]) {
      const body = await response.text();
      expect(response.status).toBe(400);
      expect(body).not.toContain("destructure");
      expect(errorsIn(body).map((error) => error.message)).toEqual([
        'input: must be superjson\'s {"json": …} envelope, not null',
      ]);
    }
  });

  it("refuses a form POST to a page, from any origin, with a 405 and a plain message", async () => {
    const pages = [`/room/${roomId}`, "/", "/stranger"];
    const origins: Record<string, string>[] = [
      { origin: "https://evil.example" },
      { origin: "null" },
      { origin: "not a url" },
      {},
    ];
    for (const page of pages) {
      for (const origin of origins) {
        const response = await fetch(`${server.url}${page}`, {
          method: "POST",
          redirect: "manual",
          headers: { "content-type": "application/x-www-form-urlencoded", ...origin },
          body: "roomId=x",
        });
        expect(response.status, `${page} from ${JSON.stringify(origin)}`).toBe(405);
        expect(response.headers.get("allow")).toBe("GET, HEAD");
        expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
        expect(await response.text()).toBe("Pages can only be read (GET): nothing here accepts a form.");
      }
    }
    expect(server.output()).not.toMatch(/CSRF|did not provide an `action`/);
  });

  it(`refuses a batch of more than ${MAX_BATCH_CALLS} calls before running any of them`, async () => {
    const calls = (path: string, count: number) => Array.from({ length: count }, () => path).join(",");
    const inputs = (count: number, input: unknown) =>
      JSON.stringify(Object.fromEntries(Array.from({ length: count }, (_, index) => [index, { json: input }])));
    const tooMany = MAX_BATCH_CALLS + 1;
    const refused = [
      await get(`${calls("message.list", tooMany)}?batch=1`, inputs(tooMany, { roomId })),
      await post(`${calls("message.receipt", tooMany)}?batch=1`, inputs(tooMany, { roomId, seen: 1 })),
      await get(`${calls("message.list", 140)}?batch=1`, inputs(140, { roomId })),
    ];
    for (const response of refused) {
      expect(response.status).toBe(400);
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(errorsIn(await response.text())[0]?.message).toBe(`A batch may hold at most ${MAX_BATCH_CALLS} calls`);
    }
    const allowed = await get(`${calls("message.list", MAX_BATCH_CALLS)}?batch=1`, inputs(MAX_BATCH_CALLS, { roomId }));
    expect(allowed.status).toBe(200);
  });

  it("pages message.list by count and by size, uncached; following the pages reads every message once", async () => {
    const { member: owner, roomId: room } = await memberOfNewRoom(server.url);
    const small = 130;
    const large = 40;
    const largeCiphertext = "L".repeat(SEALED_MESSAGE_MAX_LENGTH);
    await sendAll(
      owner,
      room,
      Array.from({ length: small + large }, (_, n) => (n < small ? opaque(`m${n}`) : largeCiphertext)),
    );
    const seen: number[] = [];
    let after: number | undefined;
    let pages = 0;
    for (;;) {
      const input = JSON.stringify({ json: after === undefined ? { roomId: room } : { roomId: room, after } });
      const response = await fetch(`${server.url}/api/trpc/message.list?input=${encodeURIComponent(input)}`, {
        headers: { cookie: owner.cookieHeader() },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get("cache-control")).toBe("no-store");
      const page = (
        JSON.parse(await response.text()) as {
          result: { data: { json: { messages: { id: number; ciphertext: string }[]; hasMore: boolean } } };
        }
      ).result.data.json;
      pages += 1;
      expect(page.messages.length).toBeGreaterThan(0);
      expect(page.messages.length).toBeLessThanOrEqual(100);
      expect(page.messages.reduce((chars, message) => chars + message.ciphertext.length, 0)).toBeLessThanOrEqual(
        PAGE_MAX_CHARS,
      );
      seen.push(...page.messages.map((message) => message.id));
      if (!page.hasMore) break;
      after = page.messages.at(-1)!.id;
    }
    expect(seen).toEqual(Array.from({ length: small + large }, (_, index) => index + 1));
    // 100 small (the count bound); 30 small and 15 large (the size bound); 16 large; the last 9.
    expect(pages).toBe(4);
  }, 60_000);

  it("bounds what one batched read of a full room carries and costs", async () => {
    const { member: owner, roomId: room } = await memberOfNewRoom(server.url);
    await sendAll(
      owner,
      room,
      Array.from({ length: 200 }, () => "F".repeat(SEALED_MESSAGE_MAX_LENGTH)),
    );
    const paths = Array.from({ length: MAX_BATCH_CALLS }, () => "message.list").join(",");
    const input = JSON.stringify(
      Object.fromEntries(Array.from({ length: MAX_BATCH_CALLS }, (_, index) => [index, { json: { roomId: room } }])),
    );
    const { result: bytes, cpuMs } = await cpu.during(async () => {
      const response = await fetch(`${server.url}/api/trpc/${paths}?batch=1&input=${encodeURIComponent(input)}`, {
        headers: { cookie: owner.cookieHeader() },
      });
      expect(response.status).toBe(200);
      return (await response.arrayBuffer()).byteLength;
    });
    // Each call answers one page of at most 256 KB, however much the room holds (3.2 MB here).
    expect(bytes).toBeLessThan(MAX_BATCH_CALLS * (PAGE_MAX_CHARS + 10_000));
    expect(cpuMs, `the batch cost ${cpuMs.toFixed(0)} ms of CPU`).toBeLessThan(500);
  }, 60_000);
});

describe("the reads rate limit", () => {
  let server: AppServer;
  beforeAll(async () => {
    server = await startAppServer({
      REDIS_URL: inject("redisUrl"),
      SESSION_SECRET: TEST_SECRET,
      RATE_LIMITS: "on",
      RATE_LIMIT_READS_PER_MINUTE: "4",
    });
  });
  afterAll(() => server?.stop());

  it("limits queries per client address with 429, a wait and a message", async () => {
    const { member: alice, roomId } = await memberOfNewRoom(server.url);
    await alice.trpc.room.ttl.query({ roomId });
    await alice.trpc.message.list.query({ roomId });
    await alice.trpc.match.stats.query();
    await alice.trpc.message.list.query({ roomId });
    const input = encodeURIComponent(JSON.stringify({ json: { roomId } }));
    const refused = await fetch(`${server.url}/api/trpc/message.list?input=${input}`, {
      headers: { cookie: alice.cookieHeader() },
    });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(errorsIn(await refused.text())[0]?.message).toMatch(
      /^Too many requests for room data from your network\. Slow down and try again in \d+ s\.$/,
    );
    // Sends are not reads: the conversation goes on.
    await alice.trpc.message.send.mutate({ roomId, ciphertext: opaque("still here"), clientId: "after-limit" });
  });
});
