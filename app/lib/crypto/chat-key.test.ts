import { describe, expect, it } from "vitest";
import type { AccountPublicKey } from "~/shared/direct-chats";
import { deriveAccountKeys, newKdfParams } from "./account-kdf";
import { chatSafetyCode, deriveChatKey, p256Agreement, partnerP256Keys } from "./chat-key";
import { createIdentity, type IdentityKeys } from "./identity-keys";
import { KeyAgreementError } from "./key-agreement";
import { openMessage, sealMessage } from "./message-payload";

const FAST = 1_000;
const CHAT = "Chat1234567890abcdefg";

/** An account as sign-up makes it: its keys in this browser, its public keys as the server holds them. */
async function account(username: string): Promise<{ keys: IdentityKeys; publicKeys: AccountPublicKey[] }> {
  const { wrappingKey } = await deriveAccountKeys(`${username}'s password`, newKdfParams(FAST), {
    minimumIterations: FAST,
  });
  const { wrapped, keys } = await createIdentity(wrappingKey, username);
  return { keys, publicKeys: wrapped.keyPairs.map(({ algorithm, publicKey }) => ({ algorithm, publicKey })) };
}

/** The same account in a browser that cannot use its X25519 pair. */
function withoutX25519(keys: IdentityKeys): IdentityKeys {
  return { ...keys, agreement: p256Agreement(keys) };
}

describe("a direct chat's key", () => {
  it("is the same on both sides, and so is the safety code", async () => {
    const [alice, bob] = await Promise.all([account("alice"), account("bob")]);
    const [aliceKey, bobKey] = await Promise.all([
      deriveChatKey(alice.keys, bob.publicKeys, CHAT),
      deriveChatKey(bob.keys, alice.publicKeys, CHAT),
    ]);
    expect(aliceKey.secret).toBe(bobKey.secret);
    const [aliceCode, bobCode] = await Promise.all([chatSafetyCode(aliceKey, CHAT), chatSafetyCode(bobKey, CHAT)]);
    expect(aliceCode).toMatch(/^\d{3} \d{3}$/);
    expect(aliceCode).toBe(bobCode);

    const sealed = await sealMessage(aliceKey.key, CHAT, "client-1", { kind: "text", name: "alice", text: "hi bob" });
    expect(await openMessage(bobKey.key, CHAT, "client-1", sealed)).toEqual({
      kind: "text",
      name: "alice",
      text: "hi bob",
    });
  });

  it("uses P-256 only, so a browser without X25519 agrees with one that has it", async () => {
    const [alice, bob] = await Promise.all([account("alice"), account("bob")]);
    expect(alice.publicKeys.map((key) => key.algorithm)).toContain("X25519");
    const [full, limited] = await Promise.all([
      deriveChatKey(alice.keys, bob.publicKeys, CHAT),
      deriveChatKey(
        bob.keys,
        alice.publicKeys.filter((key) => key.algorithm !== "X25519"),
        CHAT,
      ),
    ]);
    const inLimitedBrowser = await deriveChatKey(withoutX25519(bob.keys), alice.publicKeys, CHAT);
    expect(limited.secret).toBe(full.secret);
    expect(inLimitedBrowser.secret).toBe(full.secret);
  });

  it("gives a different code when the server swaps in another public key", async () => {
    const [alice, bob, mallory] = await Promise.all([account("alice"), account("bob"), account("mallory")]);
    // Alice is handed mallory's keys under bob's name; bob gets alice's real ones.
    const [aliceKey, bobKey] = await Promise.all([
      deriveChatKey(alice.keys, mallory.publicKeys, CHAT),
      deriveChatKey(bob.keys, alice.publicKeys, CHAT),
    ]);
    expect(aliceKey.secret).not.toBe(bobKey.secret);
    expect(await chatSafetyCode(aliceKey, CHAT)).not.toBe(await chatSafetyCode(bobKey, CHAT));
  });

  it("is bound to the chat", async () => {
    const [alice, bob] = await Promise.all([account("alice"), account("bob")]);
    const [one, other] = await Promise.all([
      deriveChatKey(alice.keys, bob.publicKeys, CHAT),
      deriveChatKey(alice.keys, bob.publicKeys, "Other1234567890abcdef"),
    ]);
    expect(one.secret).not.toBe(other.secret);
  });

  it("refuses an account without a P-256 agreement key, or a malformed one", async () => {
    const alice = await account("alice");
    expect(() => partnerP256Keys([{ algorithm: "X25519", publicKey: "A".repeat(43) }])).toThrow(KeyAgreementError);
    await expect(
      deriveChatKey(alice.keys, [{ algorithm: "ECDH-P-256", publicKey: "not-a-key" }], CHAT),
    ).rejects.toThrow(KeyAgreementError);
    // Its own keys reflected back are refused, as in a stranger chat.
    await expect(deriveChatKey(alice.keys, alice.publicKeys, CHAT)).rejects.toThrow(KeyAgreementError);
  });
});
