import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { TEST_SECRET } from "../support/app";
import { startAppServer, type AppServer } from "../support/app-server";
import { bulkPayload, hostileEnvelope, hostileInput, hostileString } from "../support/hostile";
import { opaque } from "../support/opaque";
import { serveOrdinaryReads, type ServerCpu, startMeasuredServer } from "../support/server-cpu";
import { memberOfNewRoom, Visitor } from "../support/visitor";

const PROCEDURES = [
  { path: "room.create", method: "POST" },
  { path: "room.ttl", method: "GET" },
  { path: "room.destroy", method: "POST" },
  { path: "room.events", method: "GET" },
  { path: "room.typing", method: "POST" },
  { path: "room.publishKeys", method: "POST" },
  { path: "room.setName", method: "POST" },
  { path: "message.send", method: "POST" },
  { path: "message.list", method: "GET" },
  { path: "message.receipt", method: "POST" },
] as const;

/**
 * Random and hostile input at every procedure and at the room gate, over real HTTP against a
 * Redis-backed production server. Every answer must be a success or a 4xx with a message; the
 * server must stay up; a room the attacker is not in must come out untouched.
 */
describe("fuzzing the HTTP surface", () => {
  let server: AppServer;
  let victim: { roomId: string; alice: Visitor };
  let victimBefore: unknown;

  beforeAll(async () => {
    server = await startAppServer({
      REDIS_URL: inject("redisUrl"),
      SESSION_SECRET: TEST_SECRET,
      MAX_BODY_BYTES: "16384",
    });
    const alice = new Visitor(server.url);
    const bob = new Visitor(server.url);
    const { roomId } = await alice.trpc.room.create.mutate({ ttlSeconds: 600 });
    await alice.open(`/room/${roomId}`);
    await bob.open(`/room/${roomId}`);
    await alice.trpc.message.send.mutate({ roomId, ciphertext: opaque("victim's secret"), clientId: "victim-1" });
    victim = { roomId, alice };
    victimBefore = await alice.trpc.message.list.query({ roomId });
  });
  afterAll(() => server?.stop());

  async function expectClientError(response: Response, what: string) {
    const body = await response.text();
    if (response.status >= 500) throw new Error(`${what} answered ${response.status}: ${body.slice(0, 300)}`);
    if (response.status >= 400 && response.headers.get("content-type")?.includes("json")) {
      const message = /"message":"([^"]+)"/.exec(body)?.[1];
      expect(message, `${what} explains its ${response.status}`).toBeTruthy();
    }
  }

  it("answers every procedure's hostile input with a success or a clear 4xx", async () => {
    const attacker = new Visitor(server.url);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PROCEDURES), hostileInput, fc.boolean(), async (procedure, input, wrap) => {
        const payload = JSON.stringify(wrap ? { json: input } : input) ?? "null";
        const url = `${server.url}/api/trpc/${procedure.path}`;
        const response =
          procedure.method === "GET"
            ? await fetch(`${url}?input=${encodeURIComponent(payload)}`, {
                headers: {
                  cookie: attacker.cookieHeader(),
                  accept: procedure.path === "room.events" ? "text/event-stream" : "*/*",
                },
                signal: AbortSignal.timeout(5000),
              })
            : await fetch(url, {
                method: "POST",
                headers: { "content-type": "application/json", cookie: attacker.cookieHeader() },
                body: payload,
                signal: AbortSignal.timeout(5000),
              });
        if (procedure.path === "room.events" && response.status === 200) {
          await response.body?.cancel();
          return;
        }
        await expectClientError(response, `${procedure.path} with ${payload.slice(0, 120)}`);
      }),
      { numRuns: 300 },
    );
  });

  it("never seats anyone in a full room, whatever cookie or id they bring", async () => {
    // URLs and cookies cannot carry lone surrogates at all; the JSON bodies above do.
    const encodable = hostileString.filter((value) => {
      try {
        encodeURIComponent(value);
        return true;
      } catch {
        return false;
      }
    });
    const forgedCookie = fc.oneof(
      encodable.map((value) => `eph_${victim.roomId}=${encodeURIComponent(value)}`),
      fc
        .string({ minLength: 22, maxLength: 22 })
        .map(
          (token) => `eph_${victim.roomId}=${Buffer.from(JSON.stringify(token)).toString("base64")}.forgedsignature`,
        ),
      encodable,
    );
    const roomPath = fc.oneof(fc.constant(victim.roomId), encodable.map(encodeURIComponent));
    await fc.assert(
      fc.asyncProperty(roomPath, forgedCookie, async (id, cookie) => {
        let response: Response;
        try {
          response = await fetch(`${server.url}/room/${id}`, {
            redirect: "manual",
            headers: { cookie: cookie.replace(/[\r\n]/g, ""), "user-agent": "Mozilla/5.0 Chrome/156" },
            signal: AbortSignal.timeout(5000),
          });
        } catch (error) {
          // A header the HTTP client itself refuses never reaches the server.
          if (error instanceof TypeError) return;
          throw error;
        }
        await expectClientError(response, `/room/${id} with cookie ${cookie.slice(0, 80)}`);
        if (id === victim.roomId) {
          expect(response.status).toBe(302);
          expect(response.headers.get("location")).toBe("/?error=room-full");
        }
      }),
      { numRuns: 200 },
    );
  });

  it("leaves the server up and the victim's room untouched, with nothing polluted", async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect(await victim.alice.trpc.message.list.query({ roomId: victim.roomId })).toEqual(victimBefore);
    expect((await victim.alice.trpc.room.ttl.query({ roomId: victim.roomId })).ttl).toBeGreaterThan(0);
    expect(server.output()).not.toMatch(/"level":50/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

/** Where a request's input can go: queries (tRPC's adapter), mutations (the hot lane), streams. */
const TARGETS = [
  { path: "room.ttl", method: "GET" },
  { path: "message.list", method: "GET" },
  { path: "match.stats", method: "GET" },
  { path: "room.events", method: "GET", headers: { accept: "text/event-stream" } },
  { path: "room.create", method: "POST" },
  { path: "message.send", method: "POST" },
  { path: "message.receipt", method: "POST" },
  { path: "room.typing", method: "POST", headers: { "trpc-accept": "application/jsonl" } },
] as const;

/** A 400 costs a few ms; this is about ten of them, far below what superjson's recursion cost. */
const CPU_BUDGET_MS = 50;

describe("the cost of any request body or query up to 64 KB", () => {
  let server: AppServer;
  let cpu: ServerCpu;
  let member: Visitor;

  beforeAll(async () => {
    ({ server, cpu } = await startMeasuredServer());
    const { member: seated, roomId } = await memberOfNewRoom(server.url);
    member = seated;
    await serveOrdinaryReads(server, member.cookieHeader(), roomId);
  }, 60_000);
  afterAll(() => server?.stop());

  function send(target: (typeof TARGETS)[number], input: string, batch: boolean) {
    const url = `${server.url}/api/trpc/${target.path}${batch ? "?batch=1&" : "?"}`;
    const headers = { cookie: member.cookieHeader(), ...("headers" in target ? target.headers : {}) };
    // A stream that opened for real would never end: no generated input names the member's room.
    const signal = AbortSignal.timeout(10_000);
    return target.method === "GET"
      ? fetch(`${url}input=${encodeURIComponent(input)}`, { headers, signal })
      : fetch(url, {
          method: "POST",
          headers: { ...headers, "content-type": "application/json" },
          body: input,
          signal,
        });
  }

  it(`costs the server less than ${CPU_BUDGET_MS} ms of CPU and never answers 500`, async () => {
    // Every path's error answer is compiled on its first use (tens of ms, once): not the input's cost.
    for (const target of TARGETS) {
      for (const batch of [false, true])
        await (await send(target, batch ? '{"0":{"json":1}}' : '{"json":1}', batch)).text();
    }
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...TARGETS),
        fc.oneof(hostileEnvelope, bulkPayload),
        fc.boolean(),
        async (target, payload, batch) => {
          const input = batch ? `{"0":${payload}}` : payload;
          const { result, cpuMs } = await cpu.cheapest(3, CPU_BUDGET_MS, async () => {
            const response = await send(target, input, batch);
            return { status: response.status, body: await response.text() };
          });
          const what = `${target.path}${batch ? " (batch)" : ""} with ${input.length} characters: ${input.slice(0, 100)}`;
          expect(result.status, `${what} answered ${result.body.slice(0, 200)}`).toBeLessThan(500);
          expect(cpuMs, `${what} cost ${cpuMs.toFixed(1)} ms of CPU`).toBeLessThan(CPU_BUDGET_MS);
        },
      ),
      { numRuns: 200 },
    );
    expect(server.output()).not.toMatch(/"level":50/);
  }, 120_000);
});
