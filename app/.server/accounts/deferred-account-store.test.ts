import { describe, expect, it } from "vitest";
import { DeferredAccountStore } from "./deferred-account-store";
import { MemoryAccountStore } from "./memory-account-store";

describe("DeferredAccountStore", () => {
  it("makes the store once, on first use, and hands every call to it", async () => {
    let made = 0;
    const inner = new MemoryAccountStore();
    const store = new DeferredAccountStore("memory", async () => {
      made += 1;
      return inner;
    });
    expect(made).toBe(0);
    await Promise.all([store.ping(), store.findByUsername("alice"), store.listSessions("x", new Date())]);
    expect(made).toBe(1);
    expect(await store.ready()).toBe(inner);
  });

  it("tries again after a failed start (a database that was not up yet) rather than failing for good", async () => {
    let attempts = 0;
    const store = new DeferredAccountStore("postgres", async () => {
      attempts += 1;
      if (attempts === 1) throw new Error("connect ECONNREFUSED");
      return new MemoryAccountStore();
    });
    await expect(store.ping()).rejects.toThrow("ECONNREFUSED");
    await expect(store.ping()).resolves.toBeUndefined();
    expect(attempts).toBe(2);
  });

  it("closes the store it made, and refuses calls after", async () => {
    let closed = false;
    const inner = new MemoryAccountStore();
    inner.close = async () => {
      closed = true;
    };
    const store = new DeferredAccountStore("memory", async () => inner);
    await store.ping();
    await store.close();
    expect(closed).toBe(true);
    await expect(store.ping()).rejects.toThrow("closed");
  });
});
