import { Redis } from "ioredis";
import { nanoid } from "nanoid";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { fromBase64Url } from "~/lib/crypto/base64url";
import { openMessage, sealMessage, sealName } from "~/lib/crypto/message-payload";
import { keyCheck } from "~/lib/crypto/key-check";
import { generateRoomKey } from "~/lib/crypto/room-key";
import { openBytes, sealBytes } from "~/lib/crypto/seal";
import { TEST_SECRET } from "../support/app";
import { startAppServer, type AppServer } from "../support/app-server";
import { Visitor } from "../support/visitor";

/** A database of its own, so the scan below reads this conversation and nothing else. */
const DB = 6;

/** Every value in the database, binary-safe, as one buffer to search. */
async function everythingStored(redis: Redis): Promise<{ keys: string[]; bytes: Buffer }> {
  const keys = await redis.keys("*");
  const parts: Buffer[] = keys.map((key) => Buffer.from(key));
  for (const key of keys) {
    const type = await redis.type(key);
    if (type === "string") parts.push((await redis.getBuffer(key)) ?? Buffer.alloc(0));
    else if (type === "hash")
      parts.push(
        ...(await redis
          .hgetallBuffer(key)
          .then((hash) => Object.entries(hash).flatMap(([field, value]) => [Buffer.from(field), value]))),
      );
    else if (type === "list") parts.push(...(await redis.lrangeBuffer(key, 0, -1)));
    else if (type === "set") parts.push(...(await redis.smembersBuffer(key)));
    else if (type === "zset") parts.push(...(await redis.zrangeBuffer(key, 0, -1)));
    else throw new Error(`unexpected ${type} key ${key}`);
  }
  return { keys, bytes: Buffer.concat(parts) };
}

describe("what the server keeps of an encrypted conversation", () => {
  let server: AppServer;
  let redis: Redis;

  beforeAll(async () => {
    const url = `${inject("redisUrl")}/${DB}`;
    redis = new Redis(url);
    await redis.flushdb();
    // The most talkative log level: nothing secret may appear even there.
    server = await startAppServer({ REDIS_URL: url, SESSION_SECRET: TEST_SECRET, LOG_LEVEL: "trace" });
  });
  afterAll(async () => {
    await server?.stop();
    await redis?.flushdb();
    redis?.disconnect();
  });

  it("holds no plaintext and no key material, in Redis or in its logs", async () => {
    const alice = new Visitor(server.url);
    const bob = new Visitor(server.url);
    const { key, secret } = await generateRoomKey();
    // As the lobby makes it: with a check of the key, which is kept, but is not the key.
    const check = await keyCheck(secret);
    const { roomId } = await alice.trpc.room.create.mutate({ ttlSeconds: 300, keyCheck: check });
    await alice.open(`/room/${roomId}`);
    await bob.open(`/room/${roomId}`);

    const conversation = [
      { from: alice, name: "alice-zk-ridge", text: "meet me by the old lighthouse at nine" },
      { from: bob, name: "bob-zk-harbour", text: "naïve ✨ 名前 — see you there" },
    ];
    const ciphertexts: string[] = [];
    for (const { from, name, text } of conversation) {
      const clientId = nanoid();
      const ciphertext = await sealMessage(key, roomId, clientId, { kind: "text", name, text });
      ciphertexts.push(ciphertext);
      await from.trpc.message.send.mutate({ roomId, ciphertext, clientId });
    }
    await alice.trpc.room.typing.mutate({ roomId, typing: true, name: await sealName(key, roomId, "alice-zk-ridge") });

    // An "image" whose plaintext carries recognisable bytes, as EXIF GPS data would.
    const imageId = nanoid();
    const image = new Uint8Array([
      ...Buffer.from("EXIF GPS 51.50072N 0.12462W lighthouse-photo"),
      ...crypto.getRandomValues(new Uint8Array(2048)),
    ]);
    const sealedImage = await sealBytes(key, { roomId, purpose: "image", slot: imageId }, image);
    const upload = await fetch(`${server.url}/api/rooms/${roomId}/images/${imageId}`, {
      method: "PUT",
      headers: { cookie: alice.cookieHeader(), "content-type": "application/octet-stream" },
      body: sealedImage,
    });
    expect(upload.status).toBe(201);
    const imageClientId = nanoid();
    await alice.trpc.message.send.mutate({
      roomId,
      clientId: imageClientId,
      ciphertext: await sealMessage(key, roomId, imageClientId, {
        kind: "image",
        name: "alice-zk-ridge",
        image: { id: imageId, width: 1, height: 1, bytes: image.byteLength, type: "image/webp" },
      }),
    });

    // The partner, holding the key, reads all of it back.
    const { messages } = await bob.trpc.message.list.query({ roomId });
    const opened = await Promise.all(
      messages.map((message) => openMessage(key, roomId, message.clientId, message.ciphertext)),
    );
    expect(opened.map((payload) => (payload.kind === "text" ? payload.text : payload.image.id))).toEqual([
      ...conversation.map(({ text }) => text),
      imageId,
    ]);
    const download = await fetch(`${server.url}/api/rooms/${roomId}/images/${imageId}`, {
      headers: { cookie: bob.cookieHeader() },
    });
    const downloaded = new Uint8Array(await download.arrayBuffer());
    expect(await openBytes(key, { roomId, purpose: "image", slot: imageId }, downloaded)).toEqual(image);

    const stored = await everythingStored(redis);
    // The scan did read the conversation: its ciphertexts and the sealed image are there.
    expect(stored.keys.filter((name) => name.includes(roomId)).length).toBeGreaterThanOrEqual(4);
    for (const ciphertext of ciphertexts) expect(stored.bytes.includes(Buffer.from(ciphertext))).toBe(true);
    expect(stored.bytes.includes(Buffer.from(sealedImage))).toBe(true);
    expect(stored.bytes.includes(Buffer.from(check))).toBe(true);

    const rawKey = Buffer.from(fromBase64Url(secret));
    const secrets: Array<[string, Buffer]> = [
      ...conversation.flatMap(({ name, text }): Array<[string, Buffer]> => [
        [`text "${text}"`, Buffer.from(text)],
        [`name "${name}"`, Buffer.from(name)],
      ]),
      ["the image's plaintext", Buffer.from("lighthouse-photo")],
      ["the key (base64url)", Buffer.from(secret)],
      ["the key (base64)", Buffer.from(rawKey.toString("base64"))],
      ["the key (hex)", Buffer.from(rawKey.toString("hex"))],
      ["the key (raw bytes)", rawKey],
    ];
    const logs = Buffer.from(server.output());
    expect(logs.length).toBeGreaterThan(0);
    for (const [what, needle] of secrets) {
      expect(stored.bytes.includes(needle), `${what} in Redis`).toBe(false);
      expect(logs.includes(needle), `${what} in the server's logs`).toBe(false);
    }
    expect(server.output(), "a full room id in the logs").not.toContain(roomId);
  });
});
