import { describe, expect, it } from "vitest";
import { mappedEvents } from "./mapped-events";

/** A source that records how it ended. */
function source(values: number[], failAfter?: number) {
  const log: string[] = [];
  async function* generate() {
    try {
      for (const [index, value] of values.entries()) {
        if (index === failAfter) throw new Error("source failed");
        yield value;
      }
      log.push("finished");
    } finally {
      log.push("cleaned up");
    }
  }
  return { generator: generate(), log };
}

/** `mappedEvents` over `source(values, failAfter)`, counting its ends. */
function mapped(values: number[], map: (value: number) => number = (value) => value, failAfter?: number) {
  const { generator, log } = source(values, failAfter);
  const counted = { ends: 0 };
  const events = mappedEvents(generator, map, () => (counted.ends += 1));
  return { events, log, counted };
}

describe("mappedEvents", () => {
  it("maps every value in order, then ends once", async () => {
    const { events, log, counted } = mapped([1, 2, 3], (value) => value * 10);
    const seen: number[] = [];
    for await (const value of events) seen.push(value);
    expect(seen).toEqual([10, 20, 30]);
    expect(log).toEqual(["finished", "cleaned up"]);
    expect(counted.ends).toBe(1);
    expect(await events.next()).toEqual({ done: true, value: undefined });
    expect(counted.ends).toBe(1);
  });

  it("returns the source when the reader stops early", async () => {
    const { events, log, counted } = mapped([1, 2, 3]);
    for await (const value of events) if (value === 2) break;
    expect(log).toEqual(["cleaned up"]);
    expect(counted.ends).toBe(1);
  });

  it("passes the source's failure on, after ending", async () => {
    const { events, log, counted } = mapped([1, 2, 3], undefined, 1);
    expect(await events.next()).toEqual({ done: false, value: 1 });
    await expect(events.next()).rejects.toThrow("source failed");
    expect(log).toEqual(["cleaned up"]);
    expect(counted.ends).toBe(1);
  });

  it("returns the source and ends when the mapping throws", async () => {
    const { events, log, counted } = mapped([1, 2, 3], (value) => {
      if (value === 2) throw new Error("map failed");
      return value;
    });
    expect(await events.next()).toEqual({ done: false, value: 1 });
    await expect(events.next()).rejects.toThrow("map failed");
    expect(log).toEqual(["cleaned up"]);
    expect(counted.ends).toBe(1);
  });

  it("throws into the source when the reader throws", async () => {
    const { events, log, counted } = mapped([1, 2, 3]);
    await events.next();
    await expect(events.throw!(new Error("reader failed"))).rejects.toThrow("reader failed");
    expect(log).toEqual(["cleaned up"]);
    expect(counted.ends).toBe(1);
  });
});
