import { afterEach, describe, expect, it, vi } from "vitest";
import { deriveAccountKeys, newKdfParams } from "./account-kdf";
import { fromBase64Url, toBase64Url } from "./base64url";
import {
  createIdentity,
  type IdentityAlgorithm,
  type IdentityKeys,
  rewrap,
  unwrapIdentity,
  UnwrapError,
  type WrappedIdentity,
  type WrappedKeyPair,
} from "./identity-keys";
import { agreeRoomKey, parsePublicKeys } from "./key-agreement";

const FAST = 1_000;
const ROOM = "direct1234567890abcde";
const subtle = globalThis.crypto.subtle;

async function wrappingKeyFor(password: string, salt = newKdfParams(FAST).salt): Promise<CryptoKey> {
  return (await deriveAccountKeys(password, { ...newKdfParams(FAST), salt }, { minimumIterations: FAST })).wrappingKey;
}

async function signUp(username: string, password = `${username}'s password`) {
  const salt = newKdfParams(FAST).salt;
  const wrappingKey = await wrappingKeyFor(password, salt);
  return { salt, wrappingKey, ...(await createIdentity(wrappingKey, username)) };
}

function pairOf(wrapped: WrappedIdentity, algorithm: IdentityAlgorithm): WrappedKeyPair {
  const pair = wrapped.keyPairs.find((candidate) => candidate.algorithm === algorithm);
  if (!pair) throw new Error(`no ${algorithm} pair`);
  return pair;
}

function withPair(
  wrapped: WrappedIdentity,
  algorithm: IdentityAlgorithm,
  change: Partial<WrappedKeyPair>,
): WrappedIdentity {
  return {
    ...wrapped,
    keyPairs: wrapped.keyPairs.map((pair) => (pair.algorithm === algorithm ? { ...pair, ...change } : pair)),
  };
}

/** version 0, then the OIDs id-ecPublicKey and prime256v1. */
const P256_PKCS8_HEADER = Buffer.from("020100301306072a8648ce3d020106082a8648ce3d030107", "hex");
/** version 0, then the start of the OID 1.3.101 that X25519 (…110) and Ed25519 (…112) share. */
const CURVE25519_PKCS8_HEADER = Buffer.from("020100300506032b65", "hex");
const message = new TextEncoder().encode("I am who I say I am");
const ECDSA = { name: "ECDSA", hash: "SHA-256" };

/** Signs with the account's private keys and verifies with the public keys as the server stores them. */
async function expectSignaturesVerify(keys: IdentityKeys, wrapped: WrappedIdentity): Promise<void> {
  const signatures: Array<[IdentityAlgorithm, AlgorithmIdentifier | EcdsaParams, CryptoKeyPair | null]> = [
    ["ECDSA-P-256", ECDSA, keys.signing.p256],
    ["Ed25519", { name: "Ed25519" }, keys.signing.ed25519],
  ];
  for (const [algorithm, params, pair] of signatures) {
    if (!pair) throw new Error(`no ${algorithm} keys`);
    const signature = await subtle.sign(params, pair.privateKey, message);
    const importParams = algorithm === "Ed25519" ? { name: "Ed25519" } : { name: "ECDSA", namedCurve: "P-256" };
    const stored = await subtle.importKey(
      "raw",
      fromBase64Url(pairOf(wrapped, algorithm).publicKey),
      importParams,
      false,
      ["verify"],
    );
    expect(await subtle.verify(params, stored, signature, message), algorithm).toBe(true);
    expect(await subtle.verify(params, stored, signature, new TextEncoder().encode("someone else")), algorithm).toBe(
      false,
    );
  }
}

describe("account identity keys", () => {
  it("makes P-256, X25519 and Ed25519 pairs and publishes their public halves raw", async () => {
    const { wrapped, keys } = await signUp("alice");
    expect(wrapped.version).toBe(1);
    expect(wrapped.keyPairs.map((pair) => pair.algorithm).sort()).toEqual([
      "ECDH-P-256",
      "ECDSA-P-256",
      "Ed25519",
      "X25519",
    ]);
    expect(fromBase64Url(pairOf(wrapped, "ECDH-P-256").publicKey)).toHaveLength(65);
    expect(fromBase64Url(pairOf(wrapped, "ECDSA-P-256").publicKey)).toHaveLength(65);
    expect(fromBase64Url(pairOf(wrapped, "X25519").publicKey)).toHaveLength(32);
    expect(fromBase64Url(pairOf(wrapped, "Ed25519").publicKey)).toHaveLength(32);
    expect(keys.agreement.publicKeys).toBe(
      `x25519.${pairOf(wrapped, "X25519").publicKey}~p256.${pairOf(wrapped, "ECDH-P-256").publicKey}`,
    );
    expect(keys.signing.publicKeys).toBe(
      `ed25519.${pairOf(wrapped, "Ed25519").publicKey}~p256.${pairOf(wrapped, "ECDSA-P-256").publicKey}`,
    );
    expect(parsePublicKeys(keys.agreement.publicKeys)).not.toBeNull();
  });

  it("wraps each private key with a fresh IV, and never in the clear", async () => {
    const { wrapped } = await signUp("alice");
    const ivs = wrapped.keyPairs.map((pair) => toBase64Url(fromBase64Url(pair.wrappedPrivateKey).subarray(0, 12)));
    expect(new Set(ivs).size).toBe(wrapped.keyPairs.length);
    // A wrapped key is IV + PKCS #8 + tag, and none of PKCS #8's fixed header (version, curve OID) shows through.
    for (const pair of wrapped.keyPairs) {
      const blob = Buffer.from(fromBase64Url(pair.wrappedPrivateKey));
      const p256 = pair.algorithm.endsWith("P-256");
      expect(blob.length, pair.algorithm).toBe(12 + (p256 ? 138 : 48) + 16);
      expect(blob.includes(p256 ? P256_PKCS8_HEADER : CURVE25519_PKCS8_HEADER), pair.algorithm).toBe(false);
    }
  });

  it("hands out private keys that cannot be exported, at sign-up and at sign-in", async () => {
    const { wrapped, keys, wrappingKey } = await signUp("alice");
    const signedIn = await unwrapIdentity(wrapped, wrappingKey, "alice");
    for (const identity of [keys, signedIn]) {
      const privateKeys = [
        identity.agreement.p256,
        identity.agreement.x25519,
        identity.signing.p256,
        identity.signing.ed25519,
      ]
        .map((pair) => pair?.privateKey)
        .filter((key) => key !== undefined);
      expect(privateKeys).toHaveLength(4);
      for (const privateKey of privateKeys) {
        expect(privateKey.extractable).toBe(false);
        await expect(subtle.exportKey("pkcs8", privateKey)).rejects.toThrow();
      }
    }
  });

  it("unwraps at sign-in into working keys: signatures verify against the stored public keys", async () => {
    const { wrapped, salt } = await signUp("alice", "a long password");
    // Sign-in derives the wrapping key afresh from the password and the stored salt.
    const signedIn = await unwrapIdentity(wrapped, await wrappingKeyFor("a long password", salt), "alice");
    await expectSignaturesVerify(signedIn, wrapped);
  });

  it("lets two accounts agree on the same key, over X25519 and over P-256", async () => {
    const [alice, bob] = await Promise.all([signUp("alice"), signUp("bob")]);
    const aliceKeys = await unwrapIdentity(alice.wrapped, alice.wrappingKey, "alice");
    const bobKeys = await unwrapIdentity(bob.wrapped, bob.wrappingKey, "bob");
    const aliceSide = await agreeRoomKey(aliceKeys.agreement, bobKeys.agreement.publicKeys, ROOM);
    const bobSide = await agreeRoomKey(bobKeys.agreement, aliceKeys.agreement.publicKeys, ROOM);
    expect(bobSide.secret).toBe(aliceSide.secret);

    const p256Only = (publicKeys: string) => publicKeys.split("~").find((part) => part.startsWith("p256.")) ?? "";
    const overP256 = await agreeRoomKey(aliceKeys.agreement, p256Only(bobKeys.agreement.publicKeys), ROOM);
    expect(overP256.secret).not.toBe(aliceSide.secret);
    const bobOverP256 = await agreeRoomKey(
      { ...bobKeys.agreement, x25519: null },
      p256Only(aliceKeys.agreement.publicKeys),
      ROOM,
    );
    expect(bobOverP256.secret).toBe(overP256.secret);
  });

  it("does not unwrap with another password's key", async () => {
    const { wrapped } = await signUp("alice", "the right password");
    await expect(unwrapIdentity(wrapped, await wrappingKeyFor("the wrong password"), "alice")).rejects.toBeInstanceOf(
      UnwrapError,
    );
  });

  it("rewraps the same key pairs for a new password; the old password no longer opens them", async () => {
    const { wrapped, keys, wrappingKey: oldKey } = await signUp("alice", "old password");
    const newKey = await wrappingKeyFor("new password");
    const rewrapped = await rewrap(wrapped, oldKey, newKey, "alice");

    expect(rewrapped.keyPairs.map(({ algorithm, publicKey }) => ({ algorithm, publicKey }))).toEqual(
      wrapped.keyPairs.map(({ algorithm, publicKey }) => ({ algorithm, publicKey })),
    );
    for (const [index, pair] of rewrapped.keyPairs.entries()) {
      expect(pair.wrappedPrivateKey).not.toBe(wrapped.keyPairs[index]?.wrappedPrivateKey);
    }
    const afterChange = await unwrapIdentity(rewrapped, newKey, "alice");
    expect(afterChange.agreement.publicKeys).toBe(keys.agreement.publicKeys);
    expect(afterChange.signing.publicKeys).toBe(keys.signing.publicKeys);
    await expectSignaturesVerify(afterChange, wrapped);
    // The same private keys: agreeing with a third party gives what the old keys gave.
    const bob = await signUp("bob");
    expect((await agreeRoomKey(afterChange.agreement, bob.keys.agreement.publicKeys, ROOM)).secret).toBe(
      (await agreeRoomKey(keys.agreement, bob.keys.agreement.publicKeys, ROOM)).secret,
    );

    await expect(unwrapIdentity(rewrapped, oldKey, "alice")).rejects.toBeInstanceOf(UnwrapError);
    await expect(rewrap(rewrapped, oldKey, newKey, "alice")).rejects.toBeInstanceOf(UnwrapError);
  });

  it("refuses any flipped bit in any wrapped key", async () => {
    const { wrapped, wrappingKey } = await signUp("alice");
    for (const pair of wrapped.keyPairs) {
      const blob = fromBase64Url(pair.wrappedPrivateKey);
      for (const position of [0, 11, 12, blob.length - 17, blob.length - 1]) {
        const tampered = blob.slice();
        tampered[position] = (tampered[position] ?? 0) ^ 0x01;
        const identity = withPair(wrapped, pair.algorithm, { wrappedPrivateKey: toBase64Url(tampered) });
        await expect(
          unwrapIdentity(identity, wrappingKey, "alice"),
          `${pair.algorithm}@${position}`,
        ).rejects.toBeInstanceOf(UnwrapError);
      }
    }
  });

  it("refuses an agreement key passed off as a signing key, though both are P-256 PKCS #8", async () => {
    const { wrapped, wrappingKey } = await signUp("alice");
    const ecdh = pairOf(wrapped, "ECDH-P-256");
    const ecdsa = pairOf(wrapped, "ECDSA-P-256");
    const blobSwapped = withPair(
      withPair(wrapped, "ECDSA-P-256", { wrappedPrivateKey: ecdh.wrappedPrivateKey }),
      "ECDH-P-256",
      {
        wrappedPrivateKey: ecdsa.wrappedPrivateKey,
      },
    );
    await expect(unwrapIdentity(blobSwapped, wrappingKey, "alice")).rejects.toBeInstanceOf(UnwrapError);
    const wholePairSwapped = withPair(
      withPair(wrapped, "ECDSA-P-256", { ...ecdh, algorithm: "ECDSA-P-256" }),
      "ECDH-P-256",
      {
        ...ecdsa,
        algorithm: "ECDH-P-256",
      },
    );
    await expect(unwrapIdentity(wholePairSwapped, wrappingKey, "alice")).rejects.toBeInstanceOf(UnwrapError);
    await expect(rewrap(wholePairSwapped, wrappingKey, await wrappingKeyFor("x"), "alice")).rejects.toBeInstanceOf(
      UnwrapError,
    );
  });

  it("refuses a private key paired with someone else's public key", async () => {
    const [alice, mallory] = await Promise.all([signUp("alice"), signUp("mallory")]);
    for (const algorithm of ["ECDH-P-256", "X25519", "ECDSA-P-256", "Ed25519"] as const) {
      const forged = withPair(alice.wrapped, algorithm, { publicKey: pairOf(mallory.wrapped, algorithm).publicKey });
      await expect(unwrapIdentity(forged, alice.wrappingKey, "alice"), algorithm).rejects.toBeInstanceOf(UnwrapError);
    }
  });

  it("binds the blobs to the account, whatever the case of its name", async () => {
    const salt = newKdfParams(FAST).salt;
    // A server that gave two accounts one salt, and two people who chose one password.
    const aliceKey = await wrappingKeyFor("shared password", salt);
    const { wrapped } = await createIdentity(aliceKey, "alice");
    const bobKey = await wrappingKeyFor("shared password", salt);
    await expect(unwrapIdentity(wrapped, bobKey, "bob")).rejects.toBeInstanceOf(UnwrapError);
    await expect(unwrapIdentity(wrapped, bobKey, "Alice")).resolves.toBeDefined();
  });

  it.each<[string, (wrapped: WrappedIdentity) => WrappedIdentity]>([
    ["another version", (wrapped) => ({ ...wrapped, version: 2 as 1 })],
    [
      "no ECDH P-256 pair",
      (wrapped) => ({ ...wrapped, keyPairs: wrapped.keyPairs.filter((p) => p.algorithm !== "ECDH-P-256") }),
    ],
    [
      "no ECDSA P-256 pair",
      (wrapped) => ({ ...wrapped, keyPairs: wrapped.keyPairs.filter((p) => p.algorithm !== "ECDSA-P-256") }),
    ],
    ["a pair twice", (wrapped) => ({ ...wrapped, keyPairs: [...wrapped.keyPairs, pairOf(wrapped, "X25519")] })],
    [
      "an unknown algorithm",
      (wrapped) => ({
        ...wrapped,
        keyPairs: [...wrapped.keyPairs, { ...pairOf(wrapped, "X25519"), algorithm: "X448" as "X25519" }],
      }),
    ],
    ["a blob that is not base64url", (wrapped) => withPair(wrapped, "X25519", { wrappedPrivateKey: "not+base64/" })],
    [
      "a blob too short to hold a key",
      (wrapped) => withPair(wrapped, "X25519", { wrappedPrivateKey: toBase64Url(new Uint8Array(28)) }),
    ],
    ["a public key that is not base64url", (wrapped) => withPair(wrapped, "Ed25519", { publicKey: "a+b" })],
  ])("refuses an identity with %s", async (_, alter) => {
    const { wrapped, wrappingKey } = await signUp("alice");
    await expect(unwrapIdentity(alter(wrapped), wrappingKey, "alice")).rejects.toBeInstanceOf(UnwrapError);
  });

  it("names its error", () => {
    const error = new UnwrapError();
    expect(error.name).toBe("UnwrapError");
    expect(error).toBeInstanceOf(Error);
  });
});

describe("account identity keys in a browser without X25519 and Ed25519", () => {
  /** Only these: the console.error spy every test has is not this file's to restore. */
  const spies: Array<{ mockRestore(): void }> = [];
  const restoreCurve25519 = () => {
    for (const spy of spies.splice(0)) spy.mockRestore();
  };
  afterEach(() => {
    restoreCurve25519();
    vi.resetModules();
  });

  const isCurve25519 = (algorithm: AlgorithmIdentifier) =>
    ["X25519", "Ed25519"].includes(typeof algorithm === "string" ? algorithm : algorithm.name);
  const notSupported = () => Promise.reject(new DOMException("Unrecognized name.", "NotSupportedError"));

  /** A fresh copy of the module (its support answers not yet cached) where the 25519 curves do not exist. */
  async function withoutCurve25519() {
    vi.resetModules();
    const generateKey = subtle.generateKey.bind(subtle);
    const unwrapKey = subtle.unwrapKey.bind(subtle);
    const importKey = subtle.importKey.bind(subtle);
    spies.push(
      vi
        .spyOn(subtle, "generateKey")
        .mockImplementation(((algorithm: AlgorithmIdentifier, ...rest: [boolean, KeyUsage[]]) =>
          isCurve25519(algorithm) ? notSupported() : generateKey(algorithm, ...rest)) as typeof subtle.generateKey),
      vi
        .spyOn(subtle, "unwrapKey")
        .mockImplementation(((...args: Parameters<typeof subtle.unwrapKey>) =>
          isCurve25519(args[4]) ? notSupported() : unwrapKey(...args)) as typeof subtle.unwrapKey),
      vi
        .spyOn(subtle, "importKey")
        .mockImplementation(((...args: Parameters<typeof subtle.importKey>) =>
          isCurve25519(args[2])
            ? notSupported()
            : importKey(...(args as [never, never, never, never, never]))) as typeof subtle.importKey),
    );
    return import("./identity-keys");
  }

  it("makes P-256 pairs only, which still agree with an account that has X25519", async () => {
    const alice = await signUp("alice");
    const old = await withoutCurve25519();
    const bobKey = await wrappingKeyFor("bob's password");
    const bob = await old.createIdentity(bobKey, "bob");
    expect(bob.wrapped.keyPairs.map((pair) => pair.algorithm).sort()).toEqual(["ECDH-P-256", "ECDSA-P-256"]);
    expect(bob.keys.agreement.x25519).toBeNull();
    expect(bob.keys.signing.ed25519).toBeNull();
    expect(bob.keys.agreement.publicKeys).toMatch(/^p256\.[\w-]{87}$/);
    expect(bob.keys.signing.publicKeys).toMatch(/^p256\.[\w-]{87}$/);
    const bobSide = await agreeRoomKey(bob.keys.agreement, alice.keys.agreement.publicKeys, ROOM);
    const aliceSide = await agreeRoomKey(alice.keys.agreement, bob.keys.agreement.publicKeys, ROOM);
    expect(bobSide.secret).toBe(aliceSide.secret);
  });

  it("signs in to an account made with X25519 and Ed25519, using its P-256 keys", async () => {
    const alice = await signUp("alice");
    const old = await withoutCurve25519();
    const keys = await old.unwrapIdentity(alice.wrapped, alice.wrappingKey, "alice");
    expect(keys.agreement.x25519).toBeNull();
    expect(keys.signing.ed25519).toBeNull();
    expect(keys.agreement.publicKeys).toBe(`p256.${pairOf(alice.wrapped, "ECDH-P-256").publicKey}`);
    const signature = await subtle.sign(ECDSA, keys.signing.p256.privateKey, message);
    expect(await subtle.verify(ECDSA, alice.keys.signing.p256.publicKey, signature, message)).toBe(true);
  });

  it("keeps the X25519 and Ed25519 pairs through a password change it cannot use them for", async () => {
    const alice = await signUp("alice");
    const old = await withoutCurve25519();
    const newKey = await wrappingKeyFor("new password");
    const rewrapped = await old.rewrap(alice.wrapped, alice.wrappingKey, newKey, "alice");
    expect(rewrapped.keyPairs.map((pair) => pair.algorithm).sort()).toEqual([
      "ECDH-P-256",
      "ECDSA-P-256",
      "Ed25519",
      "X25519",
    ]);
    restoreCurve25519();
    const modern = await unwrapIdentity(rewrapped, newKey, "alice");
    expect(modern.agreement.publicKeys).toBe(alice.keys.agreement.publicKeys);
    await expectSignaturesVerify(modern, alice.wrapped);
  });
});
