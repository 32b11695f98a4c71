import { createHash } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { TEST_SECRET } from "../support/app";
import { startAppServer, type AppServer } from "../support/app-server";

const createRoom = (server: AppServer, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/api/trpc/room.create`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ json: {} }),
  });

describe("rate limits over HTTP, trusting no proxy", () => {
  let server: AppServer;
  beforeAll(async () => {
    server = await startAppServer({
      RATE_LIMITS: "on",
      RATE_LIMIT_ROOMS_PER_MINUTE: "2",
      RATE_LIMIT_JOINS_PER_MINUTE: "2",
    });
  });
  afterAll(() => server?.stop());

  it("answers 429 with Retry-After, and a forged X-Forwarded-For does not reset the count", async () => {
    expect((await createRoom(server)).status).toBe(200);
    expect((await createRoom(server, { "x-forwarded-for": "198.51.100.1" })).status).toBe(200);
    const refused = await createRoom(server, { "x-forwarded-for": "198.51.100.2" });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    const body = (await refused.json()) as {
      error: { json: { message: string; data: { code: string; retryAfterSeconds: number } } };
    };
    expect(body.error.json.message).toMatch(/Slow down and try again in \d+ s\./);
    expect(body.error.json.data).toMatchObject({ code: "TOO_MANY_REQUESTS" });
    expect(body.error.json.data.retryAfterSeconds).toBeGreaterThanOrEqual(1);
  });

  it("answers a room page with 429 once too many new seats were taken from one address", async () => {
    const statuses: number[] = [];
    for (let index = 0; index < 3; index += 1) {
      const response = await fetch(`${server.url}/room/AAAAAAAAAAAAAAAAAAAA${index}`, {
        redirect: "manual",
        headers: { "user-agent": "Mozilla/5.0 Chrome/156" },
      });
      statuses.push(response.status);
      if (response.status === 429) {
        expect(response.headers.get("retry-after")).toMatch(/^\d+$/);
        expect(await response.text()).toContain("Slow down");
      }
    }
    expect(statuses).toEqual([302, 302, 429]);
  });
});

describe("rate limits behind one trusted proxy", () => {
  it("counts the address the proxy reports", async () => {
    const server = await startAppServer({ RATE_LIMITS: "on", RATE_LIMIT_ROOMS_PER_MINUTE: "1", TRUST_PROXY: "1" });
    try {
      expect((await createRoom(server, { "x-forwarded-for": "198.51.100.1" })).status).toBe(200);
      expect((await createRoom(server, { "x-forwarded-for": "198.51.100.1" })).status).toBe(429);
      expect((await createRoom(server, { "x-forwarded-for": "forged, 198.51.100.2" })).status).toBe(200);
    } finally {
      await server.stop();
    }
  });
});

describe("rate-limit counters in Redis", () => {
  /** A database of its own: the counters below are the only ones in it. */
  const url = `${inject("redisUrl")}/8`;

  it("are keyed by an HMAC under SESSION_SECRET: no address can be found by hashing every address", async () => {
    const admin = new Redis(url);
    await admin.flushdb();
    const counters = async () => (await admin.keys("rl:create:*")).sort();
    const start = (secret: string) => startAppServer({ REDIS_URL: url, SESSION_SECRET: secret, RATE_LIMITS: "on" });
    const servers: AppServer[] = [];
    for (const secret of [TEST_SECRET, TEST_SECRET, "another-secret-another-secret-0123456789"])
      servers.push(await start(secret));
    const [first, twin, stranger] = servers as [AppServer, AppServer, AppServer];
    try {
      expect((await createRoom(first)).status).toBe(200);
      const [counter] = await counters();
      expect(await counters()).toHaveLength(1);
      // What an unsalted hash of the address would be, in any of the usual encodings.
      const digest = createHash("sha256").update("127.0.0.1").digest();
      for (const encoded of [digest.toString("base64url"), digest.toString("hex"), digest.toString("base64")]) {
        expect(counter).not.toContain(encoded.slice(0, 16));
      }

      // Another instance with the same secret counts the same address under the same key…
      expect((await createRoom(twin)).status).toBe(200);
      expect(await counters()).toEqual([counter]);
      expect(await admin.get(counter!)).toBe("2");
      // …and one with another secret under another, which only that secret could tell.
      expect((await createRoom(stranger)).status).toBe(200);
      expect(await counters()).toHaveLength(2);
    } finally {
      await Promise.all(servers.map((server) => server.stop()));
      admin.disconnect();
    }
  }, 90_000);
});
