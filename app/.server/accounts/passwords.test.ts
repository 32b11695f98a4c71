import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { availableParallelism } from "node:os";
import { dummyVerify, hashAuthKey, prepareDummyVerify, verifierNeedsRehash, verifyAuthKey } from "./passwords";
import { HashingBusyError } from "./hash-gate";

const authKey = () => new Uint8Array(randomBytes(32));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

describe("auth key verifiers", () => {
  it("stores an argon2id hash that the same key matches and no other does", async () => {
    const key = authKey();
    const verifier = await hashAuthKey(key);
    expect(verifier).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(verifier).not.toContain(Buffer.from(key).toString("base64").slice(0, 20));
    expect(await verifyAuthKey(verifier, key)).toBe(true);
    expect(await verifyAuthKey(verifier, authKey())).toBe(false);
    // Salted: the same key twice gives two verifiers.
    expect(await hashAuthKey(key)).not.toBe(verifier);
  });

  it("matches keys whose bytes are not UTF-8 text (the library reads byte passwords as text)", async () => {
    const key = new Uint8Array(32).fill(0xff);
    const verifier = await hashAuthKey(key);
    expect(await verifyAuthKey(verifier, key)).toBe(true);
    expect(await verifyAuthKey(verifier, new Uint8Array(32).fill(0xfe))).toBe(false);
  });

  it("answers false, not an error, for a damaged verifier", async () => {
    expect(await verifyAuthKey("not a verifier", authKey())).toBe(false);
    expect(await verifyAuthKey("$argon2id$v=19$m=19456,t=2,p=1$AAAA$BBBB", authKey())).toBe(false);
  });

  it("knows when a verifier was made with other parameters", async () => {
    expect(verifierNeedsRehash(await hashAuthKey(authKey()))).toBe(false);
    expect(verifierNeedsRehash("$argon2id$v=19$m=4096,t=3,p=1$c2FsdHNhbHRzYWx0$aGFzaA")).toBe(true);
  });

  it("hashes off the event loop: timers keep firing while it works", async () => {
    let ticks = 0;
    const timer = setInterval(() => (ticks += 1), 1);
    try {
      await Promise.all([hashAuthKey(authKey()), hashAuthKey(authKey())]);
    } finally {
      clearInterval(timer);
    }
    expect(ticks).toBeGreaterThanOrEqual(3);
  });

  it("takes about as long for an unknown name (dummyVerify) as for a wrong password", async () => {
    const verifier = await hashAuthKey(authKey());
    await prepareDummyVerify();
    const real: number[] = [];
    const dummy: number[] = [];
    // Interleaved, so a busy moment on the machine slows both alike.
    for (let round = 0; round < 9; round += 1) {
      let started = performance.now();
      expect(await verifyAuthKey(verifier, authKey())).toBe(false);
      real.push(performance.now() - started);
      started = performance.now();
      expect(await dummyVerify(authKey())).toBe(false);
      dummy.push(performance.now() - started);
    }
    const ratio = median(dummy) / median(real);
    expect(ratio).toBeGreaterThan(0.4);
    expect(ratio).toBeLessThan(2.5);
  });

  it("runs at most cores − 1 hashes at once, and refuses rather than queue without bound or wait long", async () => {
    const atOnce = Math.max(1, availableParallelism() - 1);
    const verifier = await hashAuthKey(authKey());
    // More than can run or wait: the surplus is refused at once; of those that waited, any whose
    // turn came after 400 ms is refused then (unless it is among the last few). Each verify takes
    // 13 ms or more, so 32 in a row wait longer than that only on a machine under load: how many of
    // them are refused depends on it.
    const extra = 3;
    const started = performance.now();
    const outcomes = await Promise.allSettled(
      Array.from({ length: atOnce + 32 * atOnce + extra }, () =>
        verifyAuthKey(verifier, authKey()).then((matched) => ({ matched, ms: performance.now() - started })),
      ),
    );
    const refused = outcomes.filter((outcome) => outcome.status === "rejected");
    expect(refused.length).toBeGreaterThanOrEqual(extra);
    for (const outcome of refused) expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(HashingBusyError);
    const answered = outcomes.flatMap((outcome) => (outcome.status === "fulfilled" ? [outcome.value] : []));
    expect(answered.length).toBeGreaterThanOrEqual(atOnce);
    expect(answered.every(({ matched }) => !matched)).toBe(true);
    // The gate is free again afterwards.
    expect(await verifyAuthKey(verifier, authKey())).toBe(false);
  });
});
