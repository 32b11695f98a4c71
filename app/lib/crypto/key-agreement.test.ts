import { afterEach, describe, expect, it, vi } from "vitest";
import { fromBase64Url, toBase64Url } from "./base64url";
import {
  agreeRoomKey,
  createKeyAgreement,
  KeyAgreementError,
  parsePublicKeys,
  PUBLIC_KEYS_MAX_LENGTH,
} from "./key-agreement";
import { importRoomKey } from "./room-key";
import { open, seal } from "./seal";

const ROOM = "room1234567890abcdefg";
/** 65 bytes whose standard base64 has '+' and '/' where base64url would have '-' and '_'. */
const STANDARD_BASE64_POINT = Buffer.from(Uint8Array.of(4, ...new Uint8Array(64).fill(0xfb))).toString("base64");

/** A partner's keys as a browser without X25519 would publish them. */
function p256Only(publicKeys: string): string {
  const part = publicKeys.split("~").find((candidate) => candidate.startsWith("p256."));
  if (!part) throw new Error(`no P-256 key in ${publicKeys}`);
  return part;
}

function p256Bytes(publicKeys: string): Uint8Array {
  return fromBase64Url(p256Only(publicKeys).slice("p256.".length));
}

describe("key agreement", () => {
  it("publishes X25519 and P-256 keys within the advertised length", async () => {
    const { publicKeys } = await createKeyAgreement();
    expect(publicKeys).toMatch(/^x25519\.[\w-]{43}~p256\.[\w-]{87}$/);
    expect(publicKeys.length).toBe(PUBLIC_KEYS_MAX_LENGTH);
    expect(PUBLIC_KEYS_MAX_LENGTH).toBeLessThanOrEqual(200);
    expect(parsePublicKeys(publicKeys)).not.toBeNull();
  });

  it("keeps the private keys unexportable", async () => {
    const { agreement } = await createKeyAgreement();
    expect(agreement.p256.privateKey.extractable).toBe(false);
    expect(agreement.x25519?.privateKey.extractable).toBe(false);
  });

  it("gives both sides the same room key, whichever side computes it", async () => {
    const [alice, bob] = await Promise.all([createKeyAgreement(), createKeyAgreement()]);
    const aliceKey = await agreeRoomKey(alice.agreement, bob.publicKeys, ROOM);
    const bobKey = await agreeRoomKey(bob.agreement, alice.publicKeys, ROOM);
    expect(aliceKey.secret).toMatch(/^[\w-]{43}$/);
    expect(bobKey.secret).toBe(aliceKey.secret);

    // The agreed key works as a room key, and its secret imports as the same key.
    const sealed = await seal(aliceKey.key, { roomId: ROOM, purpose: "message", slot: "c1" }, Uint8Array.of(1, 2, 3));
    expect(await open(bobKey.key, { roomId: ROOM, purpose: "message", slot: "c1" }, sealed)).toEqual(
      Uint8Array.of(1, 2, 3),
    );
    const imported = await importRoomKey(aliceKey.secret);
    if (!imported) throw new Error("the agreed secret does not import");
    expect(await open(imported.key, { roomId: ROOM, purpose: "message", slot: "c1" }, sealed)).toEqual(
      Uint8Array.of(1, 2, 3),
    );
  });

  it("derives a different key in another room, and with a third party", async () => {
    const [alice, bob, mallory] = await Promise.all([createKeyAgreement(), createKeyAgreement(), createKeyAgreement()]);
    const withBob = await agreeRoomKey(alice.agreement, bob.publicKeys, ROOM);
    expect((await agreeRoomKey(alice.agreement, bob.publicKeys, "other1234567890abcdef")).secret).not.toBe(
      withBob.secret,
    );
    expect((await agreeRoomKey(alice.agreement, mallory.publicKeys, ROOM)).secret).not.toBe(withBob.secret);
    expect((await agreeRoomKey(mallory.agreement, bob.publicKeys, ROOM)).secret).not.toBe(withBob.secret);
  });

  it("uses X25519 when both offer it, and P-256 with a partner who offers only P-256", async () => {
    const [alice, bob] = await Promise.all([createKeyAgreement(), createKeyAgreement()]);
    const both = await agreeRoomKey(alice.agreement, bob.publicKeys, ROOM);
    const aliceWithP256OnlyBob = await agreeRoomKey(alice.agreement, p256Only(bob.publicKeys), ROOM);
    const bobToAliceOverP256 = await agreeRoomKey(
      { ...bob.agreement, x25519: null, publicKeys: p256Only(bob.publicKeys) },
      alice.publicKeys,
      ROOM,
    );
    // Different from the P-256 result, so the first agreement took the X25519 road.
    expect(aliceWithP256OnlyBob.secret).not.toBe(both.secret);
    // A P-256-only Bob agrees with Alice, who falls back to P-256 for him.
    expect(bobToAliceOverP256.secret).toBe(aliceWithP256OnlyBob.secret);
  });

  it.each([
    ["empty", ""],
    ["garbage", "hello world"],
    ["a label without a key", "p256."],
    ["no P-256 key", "x25519.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE"],
    ["an unknown curve", "p384.AAAA"],
    ["a P-256 key one byte short", `p256.${toBase64Url(new Uint8Array(64).fill(4))}`],
    ["a compressed P-256 key", `p256.${toBase64Url(Uint8Array.of(2, ...new Uint8Array(32).fill(9)))}`],
    ["a P-256 key without the uncompressed prefix", `p256.${toBase64Url(new Uint8Array(65).fill(9))}`],
    ["a P-256 key in standard base64", `p256.${STANDARD_BASE64_POINT}`],
  ])("refuses partner keys that are %s", async (_, partnerKeys) => {
    const { agreement } = await createKeyAgreement();
    expect(parsePublicKeys(partnerKeys)).toBeNull();
    await expect(agreeRoomKey(agreement, partnerKeys, ROOM)).rejects.toBeInstanceOf(KeyAgreementError);
  });

  it("refuses partner keys of the wrong shape around valid parts", async () => {
    const [{ agreement }, partner] = await Promise.all([createKeyAgreement(), createKeyAgreement()]);
    const [x25519Part, p256Part] = partner.publicKeys.split("~");
    const malformed = [
      `${p256Part}~${p256Part}`,
      `${x25519Part}~${x25519Part}~${p256Part}`,
      `${partner.publicKeys}~`,
      `~${partner.publicKeys}`,
      `${x25519Part?.slice(0, -1)}~${p256Part}`,
      `${partner.publicKeys} `,
      `${partner.publicKeys}A`,
    ];
    for (const partnerKeys of malformed) {
      expect(parsePublicKeys(partnerKeys), partnerKeys).toBeNull();
      await expect(agreeRoomKey(agreement, partnerKeys, ROOM), partnerKeys).rejects.toBeInstanceOf(KeyAgreementError);
    }
    // The two parts in the other order are still the same keys.
    expect((await agreeRoomKey(agreement, `${p256Part}~${x25519Part}`, ROOM)).secret).toBe(
      (await agreeRoomKey(agreement, partner.publicKeys, ROOM)).secret,
    );
  });

  it("refuses a P-256 point that is not on the curve", async () => {
    const [alice, bob] = await Promise.all([createKeyAgreement(), createKeyAgreement()]);
    const offCurve = p256Bytes(bob.publicKeys).slice();
    offCurve[64] = (offCurve[64] ?? 0) ^ 1;
    const partnerKeys = `p256.${toBase64Url(offCurve)}`;
    expect(parsePublicKeys(partnerKeys)).not.toBeNull();
    await expect(agreeRoomKey(alice.agreement, partnerKeys, ROOM)).rejects.toBeInstanceOf(KeyAgreementError);
  });

  it.each([
    ["zero", new Uint8Array(32)],
    ["one", Uint8Array.of(1, ...new Uint8Array(31))],
  ])("refuses the low-order X25519 point %s, which would give a secret anyone knows", async (_, point) => {
    const [alice, bob] = await Promise.all([createKeyAgreement(), createKeyAgreement()]);
    const partnerKeys = `x25519.${toBase64Url(point)}~${p256Only(bob.publicKeys)}`;
    await expect(agreeRoomKey(alice.agreement, partnerKeys, ROOM)).rejects.toBeInstanceOf(KeyAgreementError);
  });

  it("refuses its own keys reflected back, whole or in part", async () => {
    const [{ agreement, publicKeys }, other] = await Promise.all([createKeyAgreement(), createKeyAgreement()]);
    const [ownX25519, ownP256] = publicKeys.split("~");
    const [otherX25519, otherP256] = other.publicKeys.split("~");
    for (const reflected of [publicKeys, `${ownP256}`, `${otherX25519}~${ownP256}`, `${ownX25519}~${otherP256}`]) {
      await expect(agreeRoomKey(agreement, reflected, ROOM), reflected).rejects.toBeInstanceOf(KeyAgreementError);
    }
  });

  it("names its error", () => {
    const error = new KeyAgreementError("bad");
    expect(error.name).toBe("KeyAgreementError");
    expect(error).toBeInstanceOf(Error);
  });
});

describe("key agreement in a browser without X25519", () => {
  afterEach(() => {
    vi.resetModules();
  });

  /** A fresh copy of the module (its X25519 answer not yet cached) where X25519 does not exist. */
  async function withoutX25519() {
    vi.resetModules();
    const subtle = globalThis.crypto.subtle;
    const generateKey = subtle.generateKey.bind(subtle);
    const spy = vi.spyOn(subtle, "generateKey").mockImplementation(((
      algorithm: AlgorithmIdentifier | EcKeyGenParams,
      extractable: boolean,
      usages: KeyUsage[],
    ) => {
      const name = typeof algorithm === "string" ? algorithm : algorithm.name;
      if (name === "X25519") return Promise.reject(new DOMException("Unrecognized name.", "NotSupportedError"));
      return generateKey(algorithm, extractable, usages);
    }) as typeof subtle.generateKey);
    const module = await import("./key-agreement");
    const x25519Attempts = () =>
      spy.mock.calls.filter(([algorithm]) => JSON.stringify(algorithm).includes("X25519")).length;
    return { module, spy, x25519Attempts };
  }

  it("publishes only P-256, asks the runtime once, and still agrees with a browser that has X25519", async () => {
    const { module, spy, x25519Attempts } = await withoutX25519();
    try {
      const legacy = await module.createKeyAgreement();
      const again = await module.createKeyAgreement();
      expect(legacy.publicKeys).toMatch(/^p256\.[\w-]{87}$/);
      expect(legacy.agreement.x25519).toBeNull();
      expect(again.publicKeys).toMatch(/^p256\./);
      expect(x25519Attempts()).toBe(1);
      spy.mockRestore();

      const modern = await createKeyAgreement();
      const legacyKey = await module.agreeRoomKey(legacy.agreement, modern.publicKeys, ROOM);
      const modernKey = await agreeRoomKey(modern.agreement, legacy.publicKeys, ROOM);
      expect(legacyKey.secret).toBe(modernKey.secret);
    } finally {
      spy.mockRestore();
    }
  });
});
