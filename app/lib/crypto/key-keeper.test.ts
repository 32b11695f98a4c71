import { describe, expect, it } from "vitest";
import { deriveAccountKeys, newKdfParams } from "./account-kdf";
import { createIdentity, type IdentityKeys } from "./identity-keys";
import { agreeRoomKey } from "./key-agreement";
import { defaultKeyStorage, KeyKeeper, type KeyStorage, memoryKeyStorage } from "./key-keeper";

const FAST = 1_000;
const ROOM = "direct1234567890abcde";
const ECDSA = { name: "ECDSA", hash: "SHA-256" };
const message = new TextEncoder().encode("kept for the session");

async function identityOf(username: string): Promise<IdentityKeys> {
  const { wrappingKey } = await deriveAccountKeys(`${username}'s password`, newKdfParams(FAST), {
    minimumIterations: FAST,
  });
  return (await createIdentity(wrappingKey, username)).keys;
}

async function signsAs(kept: IdentityKeys, original: IdentityKeys): Promise<boolean> {
  const signature = await globalThis.crypto.subtle.sign(ECDSA, kept.signing.p256.privateKey, message);
  return globalThis.crypto.subtle.verify(ECDSA, original.signing.p256.publicKey, signature, message);
}

describe.each<[string, () => KeyStorage]>([
  ["memory", memoryKeyStorage],
  ["the default storage where there is no IndexedDB", defaultKeyStorage],
])("key keeper over %s", (_, storage) => {
  it("gives back working, still unexportable keys for the account they were kept for", async () => {
    const keeper = new KeyKeeper(storage());
    const alice = await identityOf("alice");
    await keeper.keep("alice", alice);
    const kept = await keeper.keysFor("alice");
    if (!kept) throw new Error("nothing kept");
    expect(kept).not.toBe(alice); // a copy, as IndexedDB would give
    expect(await signsAs(kept, alice)).toBe(true);
    expect(kept.agreement.publicKeys).toBe(alice.agreement.publicKeys);
    expect(kept.agreement.p256.privateKey.extractable).toBe(false);
    expect(kept.signing.ed25519?.privateKey.extractable).toBe(false);
    await expect(globalThis.crypto.subtle.exportKey("pkcs8", kept.agreement.p256.privateKey)).rejects.toThrow();

    const bob = await identityOf("bob");
    expect((await agreeRoomKey(kept.agreement, bob.agreement.publicKeys, ROOM)).secret).toBe(
      (await agreeRoomKey(bob.agreement, alice.agreement.publicKeys, ROOM)).secret,
    );
  });

  it("does not hand one account's keys to another, whatever the case of the name", async () => {
    const keeper = new KeyKeeper(storage());
    await keeper.keep("alice", await identityOf("alice"));
    expect(await keeper.keysFor("bob")).toBeNull();
    expect(await keeper.keysFor("ALICE")).not.toBeNull();
  });

  it("replaces the keys when another account signs in", async () => {
    const keeper = new KeyKeeper(storage());
    await keeper.keep("alice", await identityOf("alice"));
    const bob = await identityOf("bob");
    await keeper.keep("bob", bob);
    expect(await keeper.keysFor("alice")).toBeNull();
    const kept = await keeper.keysFor("bob");
    expect(kept && (await signsAs(kept, bob))).toBe(true);
  });

  it("forgets everything on sign-out", async () => {
    const keeper = new KeyKeeper(storage());
    await keeper.keep("alice", await identityOf("alice"));
    await keeper.forget();
    expect(await keeper.keysFor("alice")).toBeNull();
    await keeper.forget(); // signing out twice is harmless
    expect(await keeper.keysFor("alice")).toBeNull();
  });

  it("refuses to keep a private key that could be exported", async () => {
    const keeper = new KeyKeeper(storage());
    const alice = await identityOf("alice");
    const exportable = await globalThis.crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
      "sign",
      "verify",
    ]);
    await expect(keeper.keep("alice", { ...alice, signing: { ...alice.signing, p256: exportable } })).rejects.toThrow(
      TypeError,
    );
    expect(await keeper.keysFor("alice")).toBeNull();
  });
});

describe("memory key storage", () => {
  it("is a separate store per instance, as two browsers are", async () => {
    const one = new KeyKeeper(memoryKeyStorage());
    const other = new KeyKeeper(memoryKeyStorage());
    await one.keep("alice", await identityOf("alice"));
    expect(await other.keysFor("alice")).toBeNull();
  });

  it("refuses what IndexedDB could not store either", async () => {
    const storage = memoryKeyStorage();
    const notCloneable = { username: "alice", keys: { sign: () => undefined } } as unknown as Parameters<
      KeyStorage["save"]
    >[0];
    await expect(storage.save(notCloneable)).rejects.toThrow();
  });
});
