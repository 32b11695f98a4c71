import fc from "fast-check";
import superjson from "superjson";
import { describe, expect, it } from "vitest";
import { serializeForWire, wireJson } from "./wire-json";

const superjsonText = (value: unknown) => JSON.stringify(superjson.serialize(value));

/** The text, or the error: superjson refuses some values outright, and so must wireJson. */
function outcome(write: () => string): { text: string } | { error: string } {
  try {
    return { text: write() };
  } catch (error) {
    return { error: String(error) };
  }
}

/** Any value, the awkward ones included: what superjson annotates and what it refuses. */
const anything = fc.anything({
  withBigInt: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withSparseArray: true,
  withObjectString: true,
  withBoxedValues: true,
  maxDepth: 4,
});

describe("serializeForWire", () => {
  it("gives tRPC exactly superjson's object, for any value, so the browser reads every answer alike", () => {
    fc.assert(
      fc.property(anything, (value) => {
        const ours = outcome(() => JSON.stringify(serializeForWire(value)));
        expect(ours).toEqual(outcome(() => superjsonText(value)));
        if ("text" in ours) expect(superjson.deserialize(JSON.parse(ours.text))).toEqual(superjson.parse(ours.text));
      }),
      { numRuns: 1000 },
    );
  });

  it("hands a plain answer back as it is, unwalked", () => {
    const answer = { chats: [{ chatId: "c", partner: { username: "bob" }, unread: 2, presence: { here: false } }] };
    expect(serializeForWire(answer)).toEqual({ json: answer });
    expect(serializeForWire(answer).json).toBe(answer);
  });
});

describe("wireJson", () => {
  it("writes exactly what superjson writes, for any value", () => {
    fc.assert(
      fc.property(anything, (value) => {
        expect(outcome(() => wireJson(value))).toEqual(outcome(() => superjsonText(value)));
      }),
      { numRuns: 2000 },
    );
  });

  it("writes the room's events and answers as superjson does, including the edge cases", () => {
    const samples: unknown[] = [
      {
        type: "message",
        message: { id: 7, ciphertext: "abc_-", clientId: "c-1", timestamp: 1_763_700_000_000, mine: false },
      },
      { type: "presence", here: true, lastSeen: null },
      { roomId: "x", status: "sent", nested: [1, [2, { deep: "yes" }]] },
      { missing: undefined },
      // A hole, which JSON writes as null: the encoder must agree with JSON.stringify.
      // eslint-disable-next-line no-sparse-arrays
      [1, , 3],
      { at: new Date(0) },
      Number.NaN,
      -0,
      { count: Number.POSITIVE_INFINITY },
      Object.assign(Object.create(null) as object, { a: 1 }),
      { "dotted.key": 1, "with\\backslash": 2 },
      { deep: { a: { b: { c: { d: { e: { f: { g: { h: { i: 1 } } } } } } } } } },
      null,
      "text",
    ];
    for (const value of samples) expect(wireJson(value)).toBe(superjsonText(value));
  });

  it("refuses what superjson refuses: keys that could pollute a prototype", () => {
    const refused: unknown[] = [
      { prototype: "" },
      { a: { constructor: 1 } },
      JSON.parse('{"__proto__":{"a":1}}'),
      [new Set([{ prototype: "" }])],
    ];
    for (const value of refused) {
      expect(() => superjsonText(value)).toThrow(/prototype pollution/);
      expect(() => wireJson(value)).toThrow(/prototype pollution/);
    }
  });
});
