import { TRPCError } from "@trpc/server";
import superjson from "superjson";
import { serializeForWire } from "./wire-json";
import { z } from "zod";
import { describeValidationError } from "../trpc/errors";

/**
 * The one thing the app's own client ever annotates in an input: a value that is `undefined`
 * (a query called without input, an optional field left out but present as a key). superjson
 * writes it as `null` in `json`, with `["undefined"]` in `meta.values` at its path, the root's
 * path being the annotation itself.
 */
const UNDEFINED = z.tuple([z.literal("undefined")], {
  error: 'must be ["undefined"], the only annotation Ephemera sends',
});

/** Input fields are flat, named like identifiers: never an index, a dotted path or `__proto__`. */
const FIELD = /^[A-Za-z][A-Za-z0-9]{0,63}$/;
const MAX_ANNOTATED_FIELDS = 16;

const metaSchema = z.strictObject(
  {
    values: z.union(
      [UNDEFINED, z.record(z.string().regex(FIELD, { error: "must name a field of the input" }), UNDEFINED)],
      { error: 'must be ["undefined"] or { field: ["undefined"] }, the only annotations Ephemera sends' },
    ),
    v: z.literal(1, { error: "must be 1, the superjson format Ephemera speaks" }),
  },
  { error: "must be superjson's { values, v }" },
);

const ENVELOPE_KEYS = new Set(["json", "meta"]);

function refuse(message: string): TRPCError {
  return new TRPCError({ code: "BAD_REQUEST", message });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function hasAtMostKeys(value: Record<string, unknown>, max: number): boolean {
  let count = 0;
  for (const _key in value) if (++count > max) return false;
  return true;
}

/** A hostile key can be 60 KB long: a message quotes only its start. */
function quote(key: string): string {
  return JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key);
}

/**
 * One call's input as tRPC's client sends it with superjson (`{ json, meta? }`), read without
 * superjson: its `deserialize` walks `meta` recursively and trusts its shape, so a 33-byte
 * `{"json":{},"meta":{"values":"x"}}` recursed until the stack overflowed, costing up to seconds
 * of CPU per request once the process was warm. Only what the app's client can send is accepted
 * (plain JSON, plus `undefined` where superjson marks it), checked in time linear in the input;
 * anything else, including an input missing its `json` wrapper (which superjson read as
 * `undefined`, silently replacing the caller's settings with defaults), is BAD_REQUEST naming
 * what is wrong. Mutates `raw`, which is always freshly parsed JSON.
 */
export function readWireInput(raw: unknown): unknown {
  if (!isRecord(raw)) {
    throw refuse(`input: must be superjson's {"json": …} envelope, not ${kindOf(raw)}`);
  }
  for (const key in raw) {
    if (!ENVELOPE_KEYS.has(key)) {
      throw refuse(`input: must be superjson's {"json": …} envelope; ${quote(key)} belongs inside "json"`);
    }
  }
  if (!("json" in raw)) throw refuse('input.json: is missing: the input goes in {"json": …} (superjson)');
  const { json } = raw;
  if (raw.meta === undefined) return json;
  // zod spends about 10 µs a key on a record: a 60 KB one would cost far more than a 400 should.
  const values = isRecord(raw.meta) ? raw.meta.values : undefined;
  if (isRecord(raw.meta) && !hasAtMostKeys(raw.meta, 2)) throw refuse("input.meta: must be superjson's { values, v }");
  if (isRecord(values) && !hasAtMostKeys(values, MAX_ANNOTATED_FIELDS)) {
    throw refuse(`input.meta.values: must annotate at most ${MAX_ANNOTATED_FIELDS} fields`);
  }
  const meta = metaSchema.safeParse(raw.meta);
  if (!meta.success) {
    const issues = meta.error.issues.map((issue) => ({ ...issue, path: ["input", "meta", ...issue.path] }));
    // Not the zod error as the cause: tRPC's middleware would put its unprefixed paths back.
    throw refuse(describeValidationError({ issues })?.message ?? "input.meta: is not what Ephemera sends");
  }
  const annotations = meta.data.values;
  if (Array.isArray(annotations)) {
    if (json !== null) throw refuse("input.json: must be null where meta.values marks the input undefined");
    return undefined;
  }
  if (!isRecord(json)) throw refuse(`input.json: must be an object when meta.values names fields, not ${kindOf(json)}`);
  for (const field of Object.keys(annotations)) {
    if (json[field] !== null) throw refuse(`input.json.${field}: must be null where meta.values marks it undefined`);
    json[field] = undefined;
  }
  return json;
}

/**
 * The transformer tRPC runs inputs through (its HTTP adapters, batches included): reads them as
 * `readWireInput` does. What the server sends is superjson's format, plain JSON without its walk.
 */
export const wireTransformer = {
  input: { serialize: (value: unknown) => superjson.serialize(value), deserialize: readWireInput },
  output: { serialize: serializeForWire, deserialize: (value: unknown) => superjson.deserialize(value as never) },
};
