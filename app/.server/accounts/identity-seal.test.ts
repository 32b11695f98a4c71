import { describe, expect, it } from "vitest";
import type { WrappedIdentity } from "~/lib/crypto/identity-keys";
import { IdentitySeal, IdentitySealError } from "./identity-seal";

const SECRET = "a-server-secret-of-at-least-32-characters";
const identity: WrappedIdentity = {
  version: 1,
  keyPairs: [
    { algorithm: "ECDH-P-256", publicKey: "A".repeat(87), wrappedPrivateKey: "B".repeat(200) },
    { algorithm: "ECDSA-P-256", publicKey: "C".repeat(87), wrappedPrivateKey: "D".repeat(200) },
  ],
};

describe("IdentitySeal", () => {
  it("gives back what it sealed, for the same account", () => {
    const seal = new IdentitySeal(SECRET);
    expect(seal.open(seal.seal(identity, "alice"), "Alice")).toEqual(identity);
  });

  it("holds nothing of the wrapped keys in a form a database thief could read", () => {
    const sealed = Buffer.from(new IdentitySeal(SECRET).seal(identity, "alice"));
    expect(sealed.includes("BBBB")).toBe(false);
    expect(sealed.includes("ECDH")).toBe(false);
    // A fresh IV every time: sealing twice does not give the same blob.
    expect(sealed.equals(Buffer.from(new IdentitySeal(SECRET).seal(identity, "alice")))).toBe(false);
  });

  it("does not open under another secret, for another account, or altered", () => {
    const sealed = new IdentitySeal(SECRET).seal(identity, "alice");
    expect(() => new IdentitySeal(`${SECRET}-rotated`).open(sealed, "alice")).toThrow(IdentitySealError);
    expect(() => new IdentitySeal(SECRET).open(sealed, "mallory")).toThrow(IdentitySealError);
    const altered = new Uint8Array(sealed);
    altered[20] = altered[20]! ^ 1;
    expect(() => new IdentitySeal(SECRET).open(altered, "alice")).toThrow(IdentitySealError);
    expect(() => new IdentitySeal(SECRET).open(new Uint8Array(10), "alice")).toThrow(IdentitySealError);
  });
});
