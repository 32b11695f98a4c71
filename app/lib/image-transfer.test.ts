import { describe, expect, it } from "vitest";
import { generateRoomKey } from "./crypto/room-key";
import { downloadImage, ImageTransferError, uploadImage } from "./image-transfer";

const ROOM = "V1StGXR8_Z5jdHi6B-myT";
const IMAGE = { id: "img_0123456789", width: 2, height: 1, bytes: 6, type: "image/webp" as const };

/** The route as far as the browser can tell: PUT keeps bytes per URL, GET returns them. */
function fakeRoute() {
  const stored = new Map<string, Uint8Array<ArrayBuffer>>();
  const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    if (init?.method === "PUT") {
      if (stored.has(url)) return Response.json({ error: { code: "CONFLICT", message: "taken" } }, { status: 409 });
      stored.set(url, new Uint8Array(init.body as Uint8Array));
      return Response.json({ ok: true }, { status: 201 });
    }
    const bytes = stored.get(url);
    return bytes
      ? new Response(bytes)
      : Response.json({ error: { code: "NOT_FOUND", message: "no such image" } }, { status: 404 });
  }) as typeof fetch;
  return { stored, fetchImpl };
}

const answering = (status: number, message?: string) =>
  (async () =>
    message ? Response.json({ error: { message } }, { status }) : new Response("<html>", { status })) as typeof fetch;

describe("image transfer", () => {
  it("uploads only ciphertext, and the partner's download opens to the same bytes", async () => {
    const { key } = await generateRoomKey();
    const route = fakeRoute();
    const plain = new Uint8Array([82, 73, 70, 70, 1, 2]);
    await uploadImage(ROOM, key, { id: IMAGE.id, blob: new Blob([plain]) }, route.fetchImpl);
    const [url, sealed] = [...route.stored][0] ?? [];
    expect(url).toBe(`/api/rooms/${ROOM}/images/${IMAGE.id}`);
    expect(sealed!.byteLength).toBe(plain.byteLength + 28);
    const blob = await downloadImage(ROOM, key, IMAGE, route.fetchImpl);
    expect(blob.type).toBe("image/webp");
    expect(new Uint8Array(await blob.arrayBuffer())).toEqual(plain);
  });

  it("counts a repeated upload of the same id as done (the first answer was lost)", async () => {
    const { key } = await generateRoomKey();
    const route = fakeRoute();
    const image = { id: IMAGE.id, blob: new Blob([new Uint8Array(6)]) };
    await uploadImage(ROOM, key, image, route.fetchImpl);
    await expect(uploadImage(ROOM, key, image, route.fetchImpl)).resolves.toBeUndefined();
  });

  it("says why, and whether trying again can help", async () => {
    const { key } = await generateRoomKey();
    const image = { id: IMAGE.id, blob: new Blob([new Uint8Array(6)]) };
    const offline = (async () => {
      throw new TypeError("Failed to fetch");
    }) as typeof fetch;
    const cases: Array<[typeof fetch, string, boolean]> = [
      [offline, "Could not send the image: check your connection", true],
      [answering(503, "cannot reach its store"), "Could not send the image: cannot reach its store", true],
      [answering(429, "Slow down"), "Could not send the image: Slow down", true],
      [answering(413, "too large"), "Could not send the image: too large", false],
      [
        answering(401, "You are not a member of this room"),
        "Could not send the image: You are not a member of this room",
        false,
      ],
      [answering(502), "Could not send the image (HTTP 502)", true],
    ];
    for (const [fetchImpl, message, transient] of cases) {
      const error = await uploadImage(ROOM, key, image, fetchImpl).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ImageTransferError);
      expect(error).toMatchObject({ message, transient });
    }
  });

  it("tells a vanished image from one that will not open", async () => {
    const { key } = await generateRoomKey();
    const other = await generateRoomKey();
    const route = fakeRoute();
    await expect(downloadImage(ROOM, key, IMAGE, route.fetchImpl)).rejects.toMatchObject({
      message: "This image is no longer available",
      transient: false,
    });
    await uploadImage(ROOM, other.key, { id: IMAGE.id, blob: new Blob([new Uint8Array(6)]) }, route.fetchImpl);
    await expect(downloadImage(ROOM, key, IMAGE, route.fetchImpl)).rejects.toMatchObject({
      message: "This image could not be decrypted",
    });
  });
});
