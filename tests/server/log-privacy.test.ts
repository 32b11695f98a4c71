import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memberIdOf } from "~/.server/room-token";
import { TEST_SECRET } from "../support/app";
import { startAppServer, type AppServer } from "../support/app-server";
import { startRedisServer, type TestRedis } from "../support/redis-server";
import { Visitor } from "../support/visitor";
import { waitFor } from "../support/wait-for";

/** The member token inside a room cookie as a browser holds it (`eph_<roomId>=<signed value>`). */
function tokenIn(visitor: Visitor, roomId: string): string {
  const pair = visitor
    .cookieHeader()
    .split("; ")
    .find((part) => part.startsWith(`eph_${roomId}=`));
  if (!pair) throw new Error("no room cookie");
  const signed = decodeURIComponent(pair.slice(`eph_${roomId}=`.length));
  const encoded = signed.slice(0, signed.lastIndexOf("."));
  return JSON.parse(Buffer.from(encoded, "base64").toString("utf8")) as string;
}

function isJsonObject(line: string): boolean {
  try {
    const parsed: unknown = JSON.parse(line);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed);
  } catch {
    return false;
  }
}

/** Every way the first bytes of `bytes` could be printed: text, hex (spaced as inspect does), base64. */
function renderings(bytes: Buffer): string[] {
  const head = bytes.subarray(0, 8);
  const hex = head.toString("hex");
  return [
    hex,
    hex.match(/../g)!.join(" "),
    head.toString("base64").slice(0, 8),
    head.toString("base64url").slice(0, 8),
  ];
}

describe("what reaches the logs", () => {
  let redis: TestRedis;
  let server: AppServer;
  let admin: Redis;
  beforeAll(async () => {
    redis = await startRedisServer();
    admin = new Redis(redis.url);
    server = await startAppServer({ REDIS_URL: redis.url, SESSION_SECRET: TEST_SECRET, LOG_LEVEL: "debug" });
  });
  afterAll(async () => {
    await server?.stop();
    await admin?.quit();
    await redis?.stop();
  });

  it("is one JSON object a line, without room ids, member ids, image ids or sealed bytes, whatever the request", async () => {
    const alice = new Visitor(server.url);
    const { roomId } = await alice.trpc.room.create.mutate({});
    expect((await alice.open(`/room/${roomId}`)).status).toBe(200);
    const memberId = memberIdOf(roomId, tokenIn(alice, roomId));
    const imageId = `img-${randomBytes(9).toString("hex")}`;
    const sealed = randomBytes(64);
    const requests: Array<{ method: string; path: string; status: number }> = [
      { method: "POST", path: `/room/${roomId}`, status: 405 },
      { method: "PUT", path: `/room/${roomId}`, status: 405 },
      { method: "DELETE", path: `/room/${roomId}`, status: 405 },
      { method: "POST", path: `/room/${roomId}/x`, status: 405 },
      { method: "GET", path: `/room/${roomId}?_data=routes/_index`, status: 403 },
      { method: "GET", path: `/room/%E0%A4%A/${roomId}`, status: 400 },
      { method: "GET", path: `/room/${roomId}/%E0%A4%A`, status: 400 },
      { method: "POST", path: `/api/rooms/${roomId}/images/${imageId}/x`, status: 404 },
      { method: "GET", path: `/api/rooms/${roomId}/images/${imageId}/x`, status: 404 },
    ];
    for (const { method, path, status } of requests) {
      const response = await fetch(`${server.url}${path}`, {
        method,
        redirect: "manual",
        headers: { cookie: alice.cookieHeader(), "user-agent": "Mozilla/5.0 Chrome/156.0" },
      });
      await response.arrayBuffer();
      expect({ method, path, status: response.status }).toEqual({ method, path, status });
    }

    // Unexpected Redis errors: a room key of the wrong type makes the room's commands fail
    // (WRONGTYPE), and ioredis puts every argument of the failed command on its error.
    const ttl = 600;
    await admin.set(`room:{${roomId}}:imgs`, "not a hash", "EX", ttl);
    const upload = await fetch(`${server.url}/api/rooms/${roomId}/images/${imageId}`, {
      method: "PUT",
      headers: { cookie: alice.cookieHeader(), "content-type": "application/octet-stream" },
      body: sealed,
    });
    expect(upload.status).toBe(500);
    const download = await fetch(`${server.url}/api/rooms/${roomId}/images/${imageId}`, {
      headers: { cookie: alice.cookieHeader() },
    });
    expect(download.status).toBe(500);
    await admin.set(`room:{${roomId}}:members`, "not a hash", "EX", ttl);
    const page = await alice.open(`/room/${roomId}`);
    expect(page.status).toBe(500);
    expect(await page.text()).toContain("This room could not be opened");
    const stranger = new Visitor(server.url);
    expect((await stranger.open(`/room/${roomId}`)).status).toBe(500);

    const expectedRequests = requests.length + 4;
    const lines = await waitFor(
      () => {
        const all = server
          .output()
          .split("\n")
          .filter((line) => line.trim() !== "");
        const requestLines = all.filter(
          (line) => line.includes('"msg":"request"') && line.includes(`${roomId.slice(0, 4)}…`),
        );
        return requestLines.length >= expectedRequests + 1 ? all : null;
      },
      { what: "a request line for every request" },
    );
    const secrets = [roomId, memberId, imageId, ...renderings(sealed)];
    for (const line of lines) {
      expect(isJsonObject(line), `not one JSON object: ${line}`).toBe(true);
      for (const secret of secrets) expect(line, `${line} contains ${secret}`).not.toContain(secret);
    }
    // The failures themselves are logged, each as one line saying what failed.
    const errors = lines.map((line) => JSON.parse(line) as { level: number; msg: string; err?: { message?: string } });
    expect(
      errors.filter((entry) => entry.level >= 50 && /WRONGTYPE/.test(entry.err?.message ?? "")).length,
    ).toBeGreaterThanOrEqual(4);
  });
});
