import { describe, expect, it } from "vitest";
import { keysFingerprint, PartnerKeysMemory, type PartnerKeysStorage } from "./partner-keys-memory";

function memoryStorage(): PartnerKeysStorage & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
  };
}

const BOB = [
  { algorithm: "ECDH-P-256", publicKey: "bob-p256" },
  { algorithm: "X25519", publicKey: "bob-x25519" },
];
const NEW_BOB = [
  { algorithm: "ECDH-P-256", publicKey: "someone-else-p256" },
  { algorithm: "X25519", publicKey: "bob-x25519" },
];

describe("remembered partner keys", () => {
  it("meets a partner as new once, then knows their keys", async () => {
    const memory = new PartnerKeysMemory(memoryStorage(), "alice");
    expect(await memory.check("bob", BOB)).toBe("new");
    expect(await memory.check("bob", BOB)).toBe("same");
    expect(await memory.check("Bob", [...BOB].reverse())).toBe("same");
  });

  it("says changed until the new keys are accepted, and keeps saying it meanwhile", async () => {
    const storage = memoryStorage();
    const memory = new PartnerKeysMemory(storage, "alice");
    await memory.check("bob", BOB);
    expect(await memory.check("bob", NEW_BOB)).toBe("changed");
    // A reload (a new page, the same storage) still warns.
    expect(await new PartnerKeysMemory(storage, "alice").check("bob", NEW_BOB)).toBe("changed");
    await memory.accept("bob", NEW_BOB);
    expect(await memory.check("bob", NEW_BOB)).toBe("same");
    expect(await memory.check("bob", BOB)).toBe("changed");
  });

  it("keeps each own account's memory apart, and each partner's", async () => {
    const storage = memoryStorage();
    await new PartnerKeysMemory(storage, "alice").check("bob", BOB);
    expect(await new PartnerKeysMemory(storage, "carol").check("bob", NEW_BOB)).toBe("new");
    expect(await new PartnerKeysMemory(storage, "ALICE").check("bob", BOB)).toBe("same");
    expect(await new PartnerKeysMemory(storage, "alice").check("dave", BOB)).toBe("new");
    expect([...storage.items.keys()].sort()).toEqual(["ephemera:partner-keys:alice", "ephemera:partner-keys:carol"]);
  });

  it("stores fingerprints, not the keys", async () => {
    const storage = memoryStorage();
    await new PartnerKeysMemory(storage, "alice").check("bob", BOB);
    const stored = storage.items.get("ephemera:partner-keys:alice") ?? "";
    expect(JSON.parse(stored)).toEqual({ bob: await keysFingerprint(BOB) });
    expect(stored).not.toContain("bob-p256");
    expect(await keysFingerprint(BOB)).not.toBe(await keysFingerprint(NEW_BOB));
  });

  it("treats unreadable or unavailable storage as remembering nothing", async () => {
    const storage = memoryStorage();
    storage.items.set("ephemera:partner-keys:alice", "not json");
    expect(await new PartnerKeysMemory(storage, "alice").check("bob", BOB)).toBe("new");
    expect(await new PartnerKeysMemory(storage, "alice").check("bob", BOB)).toBe("same");

    const broken: PartnerKeysStorage = {
      getItem: () => {
        throw new Error("SecurityError");
      },
      setItem: () => {
        throw new Error("QuotaExceededError");
      },
    };
    const memory = new PartnerKeysMemory(broken, "alice");
    expect(await memory.check("bob", BOB)).toBe("new");
    await expect(memory.accept("bob", NEW_BOB)).resolves.toBeUndefined();
    expect(await new PartnerKeysMemory(null, "alice").check("bob", BOB)).toBe("new");
  });
});
