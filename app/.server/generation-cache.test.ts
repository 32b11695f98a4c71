import { afterEach, describe, expect, it, vi } from "vitest";
import { GenerationCache } from "./generation-cache";

describe("GenerationCache", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("gives back what was set, and nothing for a key never set", () => {
    const cache = new GenerationCache<number>(10, 1000);
    cache.set("a", 1);
    cache.set("b", 2);
    cache.set("a", 3);
    expect([cache.get("a"), cache.get("b"), cache.get("c")]).toEqual([3, 2, undefined]);
    expect(cache.size).toBe(2);
    expect(cache.has("b")).toBe(true);
  });

  it("forgets every entry within its lifetime, read or not, and then holds no timer", () => {
    vi.useFakeTimers();
    const cache = new GenerationCache<string>(100, 1000);
    cache.set("early", "x");
    vi.advanceTimersByTime(600);
    // Half a lifetime on, the first turn-over has kept it.
    expect(cache.get("early")).toBe("x");
    cache.set("late", "y");
    // The second turn-over, a lifetime after "early" was set, lets it go and keeps "late".
    vi.advanceTimersByTime(400);
    expect(cache.get("early")).toBeUndefined();
    expect(cache.get("late")).toBe("y");
    // "late" goes at the next, 900 ms after it was set.
    vi.advanceTimersByTime(500);
    expect(cache.get("late")).toBeUndefined();
    expect(cache.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    cache.set("again", "z");
    expect(vi.getTimerCount()).toBe(1);
  });

  it("holds at most `max` entries, letting the oldest generation go first", () => {
    const cache = new GenerationCache<number>(4, 60_000);
    for (let index = 0; index < 10; index += 1) cache.set(`key-${index}`, index);
    expect(cache.size).toBeLessThanOrEqual(4);
    expect(cache.get("key-9")).toBe(9);
    expect(cache.get("key-0")).toBeUndefined();
  });

  it("renews an entry set again, so an older copy never outlives the newer", () => {
    vi.useFakeTimers();
    const cache = new GenerationCache<string>(100, 1000);
    cache.set("k", "old");
    vi.advanceTimersByTime(500);
    cache.set("k", "new");
    expect(cache.size).toBe(1);
    vi.advanceTimersByTime(500);
    expect(cache.get("k")).toBe("new");
  });
});
