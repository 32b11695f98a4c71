import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SEALED_IMAGE_MAX_BYTES } from "~/shared/limits";
import { joinAsNewVisitor, makeServices, TEST_SECRET } from "../../tests/support/app";
import { createRoom, STORE_KINDS } from "../../tests/support/stores";
import { waitFor } from "../../tests/support/wait-for";
import { parseEnv } from "./env";
import { handleImageRequest, readCapped } from "./image-transfer";
import { MemoryRoomStore } from "./rooms/memory-store";
import { createServices, type Services } from "./services";

const IMAGE_ID = "img_0123456789";

/** Every byte value, zero and invalid UTF-8 included: the route must not treat images as text. */
function sealedBytes(length = 4096): Uint8Array<ArrayBuffer> {
  return Uint8Array.from({ length }, (_, index) => (index * 7) % 256);
}

function request(
  method: string,
  roomId: string,
  imageId: string,
  { cookie, body }: { cookie?: string; body?: Uint8Array<ArrayBuffer> } = {},
) {
  return new Request(`http://localhost:3000/api/rooms/${roomId}/images/${imageId}`, {
    method,
    headers: cookie ? { cookie } : {},
    body,
  });
}

async function errorOf(response: Response) {
  return ((await response.json()) as { error: { code: string; message: string } }).error;
}

describe.each(STORE_KINDS)("sealed images over HTTP (%s store)", (kind) => {
  let services: Services;
  let roomId: string;
  let alice: string;
  let bob: string;
  const call = (method: string, imageId: string, options?: Parameters<typeof request>[3], room = roomId) =>
    handleImageRequest(request(method, room, imageId, options), { roomId: room, imageId }, services);

  beforeAll(async () => {
    services = makeServices(kind);
    roomId = await createRoom(services.store);
    alice = await joinAsNewVisitor(services, roomId);
    bob = await joinAsNewVisitor(services, roomId);
  });
  afterAll(() => services.close());

  it("stores a member's upload and hands the same bytes to the partner, uncached", async () => {
    const bytes = sealedBytes();
    const stored = await call("PUT", IMAGE_ID, { cookie: alice, body: bytes });
    expect(stored.status).toBe(201);
    const read = await call("GET", IMAGE_ID, { cookie: bob });
    expect(read.status).toBe(200);
    expect(read.headers.get("cache-control")).toBe("no-store");
    expect(read.headers.get("content-type")).toBe("application/octet-stream");
    expect(new Uint8Array(await read.arrayBuffer())).toEqual(bytes);
  });

  it("keeps the first upload under an id and refuses a second one", async () => {
    await call("PUT", "img_first_only", { cookie: alice, body: sealedBytes(100) });
    const again = await call("PUT", "img_first_only", { cookie: bob, body: sealedBytes(200) });
    expect(again.status).toBe(409);
    expect((await errorOf(again)).message).toMatch(/^imageId: /);
    const read = await call("GET", "img_first_only", { cookie: bob });
    expect((await read.arrayBuffer()).byteLength).toBe(100);
  });

  it("refuses anyone without a seat, both ways", async () => {
    const outsider = await joinAsNewVisitor(services, await createRoom(services.store));
    for (const response of [
      await call("GET", IMAGE_ID),
      await call("GET", IMAGE_ID, { cookie: outsider }),
      await call("PUT", "img_outsider", { cookie: outsider, body: sealedBytes() }),
    ]) {
      expect(response.status).toBe(401);
      expect(await errorOf(response)).toEqual({ code: "UNAUTHORIZED", message: "You are not a member of this room" });
    }
  });

  it("answers 404 for an unknown image and for a room that has ended", async () => {
    const unknown = await call("GET", "img_never_sent", { cookie: bob });
    expect(unknown.status).toBe(404);
    expect((await errorOf(unknown)).message).toBe("imageId: no such image in this room");
    const room = await createRoom(services.store);
    const member = await joinAsNewVisitor(services, room);
    await call("PUT", IMAGE_ID, { cookie: member, body: sealedBytes() }, room);
    await services.store.destroy(room);
    const gone = await call("GET", IMAGE_ID, { cookie: member }, room);
    expect(gone.status).toBe(404);
    expect((await errorOf(gone)).message).toBe("This room does not exist or has ended");
  });

  it("names the field for bad ids, sizes and methods", async () => {
    const cases: Array<[Response, number, RegExp]> = [
      [await call("GET", "bad id!", { cookie: bob }), 400, /^imageId: /],
      [
        await handleImageRequest(request("GET", "short", IMAGE_ID), { roomId: "short", imageId: IMAGE_ID }, services),
        400,
        /^roomId: /,
      ],
      [await call("PUT", "img_too_small", { cookie: alice, body: new Uint8Array(10) }), 400, /^body: too short/],
      [
        await call("PUT", "img_too_large", { cookie: alice, body: new Uint8Array(SEALED_IMAGE_MAX_BYTES + 1) }),
        413,
        /^body: /,
      ],
      [await call("DELETE", IMAGE_ID, { cookie: alice }), 405, /PUT/],
    ];
    for (const [response, status, message] of cases) {
      expect(response.status).toBe(status);
      expect((await errorOf(response)).message).toMatch(message);
    }
  });
});

/** A member of a new room in `services`, uploading sealed images from `address`. */
async function uploaderIn(services: Services, address: string, ttlMs?: number) {
  const roomId = await createRoom(services.store, ttlMs);
  const cookie = await joinAsNewVisitor(services, roomId);
  let uploads = 0;
  const upload = (bytes: number, from = address) => {
    const imageId = `img_upload_${(uploads += 1)}`;
    const put = new Request(`http://localhost:3000/api/rooms/${roomId}/images/${imageId}`, {
      method: "PUT",
      headers: { cookie, "content-length": String(bytes) },
      body: sealedBytes(bytes),
    });
    return handleImageRequest(put, { roomId, imageId }, services, from);
  };
  return { roomId, upload };
}

describe.each(STORE_KINDS)("image bytes per address (%s store)", (kind) => {
  it("refuses with 429 and a wait once an address has used its hourly budget, across rooms", async () => {
    const services = makeServices(kind, { RATE_LIMITS: "on", RATE_LIMIT_IMAGE_MB_PER_HOUR: "1" });
    try {
      const address = `198.51.100.${kind === "redis" ? 21 : 22}`;
      const [first, second] = [await uploaderIn(services, address), await uploaderIn(services, address)];
      expect((await first.upload(400_000)).status).toBe(201);
      expect((await second.upload(400_000)).status).toBe(201);
      const refused = await second.upload(400_000);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(60);
      expect((await errorOf(refused)).message).toMatch(
        /^You are sending too many images from your network\. Slow down and try again in \d+ s\.$/,
      );
      expect((await first.upload(400_000, "198.51.100.99")).status).toBe(201);
    } finally {
      await services.close();
    }
  });
});

describe("the in-memory store's ceiling on image bytes", () => {
  it("answers 503 once all rooms together hold the ceiling, until a room ends or expires", async () => {
    const store = new MemoryRoomStore({ imageBytesMax: 10_000 });
    const config = parseEnv({ NODE_ENV: "test", SESSION_SECRET: TEST_SECRET, RATE_LIMITS: "off" });
    const services = createServices(config, { kind: "memory", store });
    try {
      const [first, second] = [await uploaderIn(services, "203.0.113.1"), await uploaderIn(services, "203.0.113.2")];
      expect((await first.upload(6000)).status).toBe(201);
      const refused = await second.upload(6000);
      expect(refused.status).toBe(503);
      expect(refused.headers.get("retry-after")).toBe("60");
      expect(await errorOf(refused)).toEqual({
        code: "SERVICE_UNAVAILABLE",
        message: "This server holds as many images as it can right now. Try again in a few minutes.",
      });
      expect((await second.upload(4000)).status).toBe(201);

      // A destroyed room gives its bytes back…
      await store.destroy(first.roomId);
      const shortLived = await uploaderIn(services, "203.0.113.3", 300);
      expect((await shortLived.upload(6000)).status).toBe(201);
      const third = await uploaderIn(services, "203.0.113.4");
      expect((await third.upload(6000)).status).toBe(503);
      // …and so does one that expires.
      await waitFor(async () => (await third.upload(6000)).status === 201, {
        what: "the expired room's bytes given back",
      });
    } finally {
      await store.close();
    }
  });
});

describe("readCapped", () => {
  it("stops reading a body without a declared length as soon as it passes the cap", async () => {
    let pulled = 0;
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        controller.enqueue(new Uint8Array(1024));
      },
      cancel() {
        cancelled = true;
      },
    });
    const request = new Request("http://localhost/", { method: "PUT", body, duplex: "half" } as RequestInit);
    expect(await readCapped(request, 4096)).toBe("too-large");
    expect(cancelled).toBe(true);
    expect(pulled).toBeLessThanOrEqual(6);
  });

  it("refuses a declared length over the cap without reading", async () => {
    const request = new Request("http://localhost/", {
      method: "PUT",
      body: new Uint8Array(10),
      headers: { "content-length": "5000" },
    });
    expect(await readCapped(request, 4096)).toBe("too-large");
  });

  it("joins a body's chunks in order", async () => {
    const request = new Request("http://localhost/", { method: "PUT", body: new Uint8Array([1, 2, 3, 4]) });
    expect(await readCapped(request, 4096)).toEqual(new Uint8Array([1, 2, 3, 4]));
  });
});
