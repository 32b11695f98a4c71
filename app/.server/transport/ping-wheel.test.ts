import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { PingWheel } from "./ping-wheel";

describe("PingWheel", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  /** A wheel of 3 slots, 300 ms round, that records each ping by stream name. */
  function wheel() {
    const pings: string[] = [];
    return { wheel: new PingWheel<string>((stream) => pings.push(stream), 300, 3), pings };
  }

  it("pings every stream once an interval, the first within one", () => {
    const { wheel: pings, pings: heard } = wheel();
    pings.add("a");
    pings.add("b");
    vi.advanceTimersByTime(300);
    expect(heard.sort()).toEqual(["a", "b"]);
    heard.length = 0;
    vi.advanceTimersByTime(900);
    expect(heard.filter((stream) => stream === "a")).toHaveLength(3);
    expect(heard.filter((stream) => stream === "b")).toHaveLength(3);
  });

  it("spreads streams opened together over the round, not into one burst", () => {
    const { wheel: pings, pings: heard } = wheel();
    for (const stream of ["a", "b", "c", "d", "e", "f"]) pings.add(stream);
    const perTick: number[] = [];
    for (let tick = 0; tick < 3; tick += 1) {
      const before = heard.length;
      vi.advanceTimersByTime(100);
      perTick.push(heard.length - before);
    }
    expect(perTick).toEqual([2, 2, 2]);
  });

  it("stops pinging a removed stream, and holds no timer once none is left", () => {
    const { wheel: pings, pings: heard } = wheel();
    pings.add("a");
    pings.add("b");
    pings.remove("a");
    pings.remove("a");
    vi.advanceTimersByTime(600);
    expect(heard).toEqual(["b", "b"]);
    pings.remove("b");
    expect(vi.getTimerCount()).toBe(0);
    pings.add("c");
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(300);
    expect(heard).toEqual(["b", "b", "c"]);
  });
});
