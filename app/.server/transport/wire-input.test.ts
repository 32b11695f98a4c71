import { TRPCError } from "@trpc/server";
import superjson from "superjson";
import { describe, expect, it } from "vitest";
import { readWireInput } from "./wire-input";

/** What tRPC's client puts on the wire for `value`, parsed back as the server receives it. */
const onTheWire = (value: unknown): unknown => JSON.parse(JSON.stringify(superjson.serialize(value)));

function refusal(raw: unknown): TRPCError {
  try {
    readWireInput(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(TRPCError);
    return error as TRPCError;
  }
  throw new Error(`accepted ${JSON.stringify(raw)}`);
}

describe("readWireInput", () => {
  it("reads every input the app's client sends exactly as superjson would", () => {
    const inputs = [
      undefined,
      {},
      { roomId: "V1StGXR8_Z5jdHi6B-myT" },
      { roomId: "V1StGXR8_Z5jdHi6B-myT", typing: false },
      { roomId: "V1StGXR8_Z5jdHi6B-myT", typing: true, name: "sealed-name" },
      { roomId: "V1StGXR8_Z5jdHi6B-myT", typing: false, name: undefined },
      { roomId: "V1StGXR8_Z5jdHi6B-myT", delivered: 3, seen: undefined },
      { ttlSeconds: 600 },
      { roomId: "V1StGXR8_Z5jdHi6B-myT", report: true },
      { roomId: "V1StGXR8_Z5jdHi6B-myT", lastEventId: "12" },
      { roomId: "V1StGXR8_Z5jdHi6B-myT", after: 100 },
    ];
    for (const input of inputs) {
      const expected = superjson.deserialize(onTheWire(input) as never);
      const read = readWireInput(onTheWire(input));
      expect(read).toStrictEqual(expected);
      expect(read).toStrictEqual(input);
    }
  });

  it("refuses what superjson's deserialize would recurse on until the stack overflows", () => {
    for (const meta of [
      { values: "x" },
      { values: "x", v: 1 },
      { values: { roomId: "x" }, v: 1 },
      { values: ["Date"], v: 1 },
    ]) {
      const error = refusal({ json: {}, meta });
      expect(error.code).toBe("BAD_REQUEST");
      expect(error.message).toMatch(/^input\.meta\.values: /);
    }
  });

  it("refuses every annotation but undefined: classes, symbols, dates, references, nested paths", () => {
    const hostile = [
      { json: {}, meta: { values: { roomId: ["class", "Evil"] }, v: 1 } },
      { json: {}, meta: { values: { roomId: ["symbol", "x"] }, v: 1 } },
      { json: { at: "2026-01-01" }, meta: { values: { at: ["Date"] }, v: 1 } },
      { json: { a: {} }, meta: { values: { "a.b": ["undefined"] }, v: 1 } },
      { json: [null], meta: { values: { "0": ["undefined"] }, v: 1 } },
      { json: {}, meta: { values: { __proto__: ["undefined"] }, v: 1 } },
      { json: { a: {}, b: {} }, meta: { referentialEqualities: { a: ["b"] }, v: 1 } },
      { json: null, meta: { values: ["undefined"] } },
      { json: null, meta: { values: ["undefined"], v: 1, extra: true } },
      { json: {}, meta: "x" },
      { json: {}, meta: null },
    ];
    for (const raw of hostile) {
      const error = refusal(raw);
      expect(error.code, JSON.stringify(raw)).toBe("BAD_REQUEST");
      expect(error.message, JSON.stringify(raw)).toMatch(/^input\.meta/);
    }
  });

  it("refuses an input without superjson's json wrapper, naming the problem", () => {
    expect(refusal({ ttlSeconds: 10 }).message).toBe(
      'input: must be superjson\'s {"json": …} envelope; "ttlSeconds" belongs inside "json"',
    );
    expect(refusal({}).message).toMatch(/^input\.json: is missing/);
    expect(refusal({ meta: { values: ["undefined"], v: 1 } }).message).toMatch(/^input\.json: is missing/);
    expect(refusal(null).message).toBe('input: must be superjson\'s {"json": …} envelope, not null');
    expect(refusal([{ json: {} }]).message).toMatch(/not an array$/);
    expect(refusal("x").message).toMatch(/not a string$/);
    expect(refusal({ json: {}, ["k".repeat(5000)]: 1 }).message.length).toBeLessThan(200);
  });

  it("refuses annotations that do not match the value they annotate", () => {
    expect(refusal({ json: {}, meta: { values: ["undefined"], v: 1 } }).message).toMatch(/^input\.json: must be null/);
    expect(refusal({ json: { name: "x" }, meta: { values: { name: ["undefined"] }, v: 1 } }).message).toMatch(
      /^input\.json\.name: must be null/,
    );
    expect(refusal({ json: "x", meta: { values: { name: ["undefined"] }, v: 1 } }).message).toMatch(
      /^input\.json: must be an object/,
    );
  });

  it("reads a 60 KB hostile meta in about the time it takes to parse it", () => {
    const wide = {
      json: {},
      meta: {
        values: Object.fromEntries(Array.from({ length: 4000 }, (_, index) => [`f${index}`, ["undefined"]])),
        v: 1,
      },
    };
    const deep = {
      json: {},
      meta: { values: JSON.parse(`${"[".repeat(20_000)}${"]".repeat(20_000)}`) as unknown, v: 1 },
    };
    for (const raw of [wide, deep]) {
      const started = process.cpuUsage();
      refusal(raw);
      const { user, system } = process.cpuUsage(started);
      expect((user + system) / 1000).toBeLessThan(50);
    }
  });
});
