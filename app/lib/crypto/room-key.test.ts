import { describe, expect, it } from "vitest";
import {
  generateRoomKey,
  importRoomKey,
  keyFromFragment,
  readFragment,
  ROOM_KEY_BYTES,
  roomKeyFromBytes,
} from "./room-key";
import { open, seal } from "./seal";

const binding = { roomId: "room1234567890abcdefg", purpose: "message", slot: "client-1" } as const;

describe("room keys", () => {
  it("generates 32 random bytes as a 43-character secret and a non-extractable AES-GCM key", async () => {
    const { key, secret } = await generateRoomKey();
    expect(ROOM_KEY_BYTES).toBe(32);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(secret, "base64url")).toHaveLength(32);
    expect(key.algorithm).toMatchObject({ name: "AES-GCM", length: 256 });
    expect(key.extractable).toBe(false);
    expect([...key.usages].sort()).toEqual(["decrypt", "encrypt"]);
    await expect(globalThis.crypto.subtle.exportKey("raw", key)).rejects.toThrow();
  });

  it("generates a different key every time", async () => {
    const secrets = new Set(
      await Promise.all(Array.from({ length: 20 }, async () => (await generateRoomKey()).secret)),
    );
    expect(secrets.size).toBe(20);
  });

  it("imports the secret as a key that opens what the original sealed", async () => {
    const original = await generateRoomKey();
    const sealed = await seal(original.key, binding, new TextEncoder().encode("hello"));
    const imported = await importRoomKey(original.secret);
    expect(imported?.secret).toBe(original.secret);
    if (!imported) throw new Error("unreachable");
    expect(new TextDecoder().decode(await open(imported.key, binding, sealed))).toBe("hello");
  });

  it("makes the same secret from the same bytes", async () => {
    const bytes = Uint8Array.from({ length: 32 }, (_, index) => index);
    const made = await roomKeyFromBytes(bytes);
    expect(made.secret).toBe(Buffer.from(bytes).toString("base64url"));
    await expect(roomKeyFromBytes(new Uint8Array(31))).rejects.toThrow(RangeError);
  });

  it("refuses malformed secrets", async () => {
    const { secret } = await generateRoomKey();
    const malformed = [
      "",
      secret.slice(0, 42),
      `${secret}A`,
      `${secret.slice(0, 42)}+`,
      `${secret.slice(0, 42)}=`,
      `${secret.slice(0, 41)}/A`,
      ` ${secret.slice(1)}`,
      // 43 characters whose last one sets bits beyond the 32nd byte: a second spelling of a key.
      `${"A".repeat(42)}B`,
    ];
    for (const text of malformed) expect(await importRoomKey(text), JSON.stringify(text)).toBeNull();
    expect(await importRoomKey(`${"A".repeat(42)}E`)).not.toBeNull();
  });

  it("finds the secret in a fragment that is exactly a key", async () => {
    const { secret } = await generateRoomKey();
    expect(keyFromFragment(`#${secret}`)).toBe(secret);
    for (const hash of [
      "",
      "#",
      "#short",
      `#${secret}x`,
      `#${secret}/`,
      `#${secret} `,
      `##${secret}`,
      `#${secret.slice(1)}`,
    ]) {
      expect(keyFromFragment(hash), JSON.stringify(hash)).toBeNull();
    }
  });

  it("tolerates the punctuation a link picks up at the end of a sentence", async () => {
    const { secret } = await generateRoomKey();
    for (const hash of [`#${secret}.`, `#${secret}...`, `#${secret},`, `#${secret}!`, `#${secret}).`]) {
      expect(readFragment(hash), JSON.stringify(hash)).toEqual({ status: "key", secret });
      expect(keyFromFragment(hash)).toBe(secret);
    }
  });

  it("tells a missing key from a damaged one", async () => {
    const { secret } = await generateRoomKey();
    for (const hash of ["", "#", "#."]) expect(readFragment(hash), JSON.stringify(hash)).toEqual({ status: "missing" });
    for (const hash of [
      `#${secret.slice(0, 30)}`,
      `#${secret.slice(0, 42)}.`,
      `#${secret}x`,
      `#${secret}%20`,
      "#short",
      `#.${secret}`,
    ]) {
      expect(readFragment(hash), JSON.stringify(hash)).toEqual({ status: "damaged" });
    }
  });
});
