import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SEALED_IMAGE_MAX_BYTES } from "~/shared/limits";
import { startAppServer, type AppServer } from "../support/app-server";
import { Visitor } from "../support/visitor";

/** The largest sealed image the server accepts: about 2 MB of opaque bytes. */
const IMAGE = new Uint8Array(SEALED_IMAGE_MAX_BYTES).map((_, index) => (index * 31) % 251);

/** A member of a fresh room on `server`, seen as coming from `address` (the server trusts one proxy). */
async function memberOfNewRoom(server: AppServer, address = "198.51.100.10") {
  const member = new Visitor(server.url);
  const { roomId } = await member.trpc.room.create.mutate({});
  await member.open(`/room/${roomId}`, { "x-forwarded-for": address });
  let uploads = 0;
  const upload = (from = address) =>
    fetch(`${server.url}/api/rooms/${roomId}/images/image-${(uploads += 1)}-of-${roomId.slice(0, 6)}`, {
      method: "PUT",
      headers: { cookie: member.cookieHeader(), "content-type": "application/octet-stream", "x-forwarded-for": from },
      body: IMAGE,
    });
  return { member, roomId, upload };
}

describe("image bytes per address", () => {
  let server: AppServer;
  beforeAll(async () => {
    server = await startAppServer({ RATE_LIMITS: "on", RATE_LIMIT_IMAGE_MB_PER_HOUR: "5", TRUST_PROXY: "1" });
  });
  afterAll(() => server?.stop());

  it("answers 429 once an address has uploaded its hourly budget, however many rooms it spreads them over", async () => {
    // One image per room: the per-room count of images never comes into it.
    const rooms = [await memberOfNewRoom(server), await memberOfNewRoom(server), await memberOfNewRoom(server)];
    expect((await rooms[0]!.upload()).status).toBe(201);
    expect((await rooms[1]!.upload()).status).toBe(201);
    const refused = await rooms[2]!.upload();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(((await refused.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: "TOO_MANY_REQUESTS",
      message: expect.stringMatching(
        /^You are sending too many images from your network\. Slow down and try again in \d+ s\.$/,
      ),
    });
    // Refused before its body is read, an upload's connection is closed after the answer: kept,
    // the unread body stalled the next request on it until the request timeout (ECONNRESET).
    expect(refused.headers.get("connection")).toBe("close");
    for (let attempt = 0; attempt < 3; attempt += 1) expect((await rooms[attempt]!.upload()).status).toBe(429);
    // Someone on another network is not held to it.
    expect((await rooms[2]!.upload("198.51.100.11")).status).toBe(201);
  });
});

describe("the in-memory store's ceiling on image bytes", () => {
  let server: AppServer;
  beforeAll(async () => {
    server = await startAppServer({ MEMORY_STORE_IMAGE_MB: "5" });
  });
  afterAll(() => server?.stop());

  it("answers 503 once every room together holds the ceiling, and takes images again when a room ends", async () => {
    const first = await memberOfNewRoom(server);
    const second = await memberOfNewRoom(server);
    expect((await first.upload()).status).toBe(201);
    expect((await second.upload()).status).toBe(201);
    const refused = await second.upload();
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("60");
    expect(((await refused.json()) as { error: { code: string; message: string } }).error).toEqual({
      code: "SERVICE_UNAVAILABLE",
      message: "This server holds as many images as it can right now. Try again in a few minutes.",
    });
    await first.member.trpc.room.destroy.mutate({ roomId: first.roomId });
    expect((await second.upload()).status).toBe(201);
  });
});
