import fc from "fast-check";
import { opaque } from "./opaque";

/** Strings that have broken parsers, databases and renderers before. */
export const HOSTILE_STRINGS = [
  "",
  " ",
  "\u0000",
  "\uD800",
  "\uDFFF",
  "\uFEFF",
  "\u202Eevil",
  "👩‍👩‍👧‍👦".repeat(50),
  "Z̴̡̢͎̈́a̷̧̛͚̓l̴̝̅g̷̞̈́o̸̟̍",
  "<script>alert(1)</script>",
  "'; DROP TABLE rooms; --",
  "${7*7}{{7*7}}",
  "../../../etc/passwd",
  "%00%0d%0aSet-Cookie: x=y",
  "a".repeat(5000),
  "__proto__",
  "constructor",
  "prototype",
] as const;

/** Objects built to pollute prototypes when naively merged. */
export const POLLUTERS = [
  JSON.parse('{"__proto__": {"polluted": "yes"}}'),
  JSON.parse('{"constructor": {"prototype": {"polluted": "yes"}}}'),
  JSON.parse('{"roomId": {"__proto__": {"polluted": "yes"}}}'),
] as unknown[];

export const hostileString = fc.oneof(
  fc.constantFrom(...HOSTILE_STRINGS),
  fc.string({ unit: "binary", maxLength: 300 }),
  fc.string({ unit: "grapheme", maxLength: 50 }),
);

/**
 * Strings that pass as sealed (base64url, long enough), some of them `opaque()` stand-ins for the
 * hostile strings above: the server stores and relays them without reading them.
 */
export const sealedLooking = fc.oneof(
  hostileString.map(opaque),
  fc.stringMatching(/^[\w-]{38,300}$/),
  fc.stringMatching(/^[\w-]{30,60}[^\w-][\w-]{0,10}$/),
);

/** Anything a client could put where an input object goes. */
export const hostileInput = fc.oneof(
  fc.constantFrom(...POLLUTERS),
  fc.jsonValue({ maxDepth: 3 }),
  fc.record(
    {
      roomId: fc.oneof(hostileString, fc.string({ minLength: 21, maxLength: 21 }), fc.jsonValue({ maxDepth: 1 })),
      ciphertext: fc.oneof(sealedLooking, hostileString, fc.jsonValue({ maxDepth: 1 })),
      name: fc.oneof(sealedLooking, hostileString, fc.jsonValue({ maxDepth: 1 })),
      typing: fc.oneof(fc.boolean(), hostileString),
      publicKeys: fc.oneof(fc.stringMatching(/^[\w.~-]{1,300}$/), hostileString, fc.jsonValue({ maxDepth: 1 })),
      // What a client of the old, unsealed format sent: ignored now.
      text: fc.oneof(hostileString, fc.jsonValue({ maxDepth: 1 })),
      ttlSeconds: fc.oneof(fc.integer(), fc.double(), hostileString),
      lastEventId: fc.oneof(hostileString, fc.integer()),
      delivered: fc.oneof(fc.integer(), fc.double(), hostileString),
      seen: fc.oneof(fc.integer(), hostileString),
      clientId: fc.oneof(hostileString, fc.stringMatching(/^[\w-]{1,40}$/)),
    },
    { requiredKeys: [] },
  ),
);

/** superjson annotations the app's client never sends (it sends only `["undefined"]`), and junk. */
const annotation = fc.oneof(
  fc.constantFrom<unknown[]>(
    ["undefined"],
    ["class", "Evil"],
    ["symbol", "s"],
    ["Date"],
    ["map"],
    ["set"],
    ["bigint"],
    ["regexp"],
    ["number"],
    ["Error"],
    ["custom", "x"],
    ["undefined", { a: ["undefined"] }],
  ),
  fc.jsonValue({ maxDepth: 2 }),
  hostileString,
);

/** A superjson `meta` of any shape: superjson's deserialize trusted it and could recurse without end. */
export const hostileMeta = fc.oneof(
  hostileString,
  fc.jsonValue({ maxDepth: 3 }),
  fc.record(
    {
      values: fc.oneof(
        annotation,
        fc.dictionary(
          fc.oneof(hostileString, fc.constantFrom("roomId", "name", "a.b", "0", "constructor", "a\\.b")),
          annotation,
          { maxKeys: 8 },
        ),
      ),
      referentialEqualities: fc.oneof(
        fc.jsonValue({ maxDepth: 2 }),
        fc.dictionary(fc.string(), fc.array(fc.string(), { maxLength: 4 }), { maxKeys: 4 }),
      ),
      v: fc.oneof(fc.constant(1), fc.constant(0), fc.jsonValue({ maxDepth: 1 })),
    },
    { requiredKeys: [] },
  ),
);

/** Anything where a call's `{ json, meta }` envelope goes, as JSON text. */
export const hostileEnvelope = fc
  .oneof(fc.record({ json: hostileInput, meta: hostileMeta }, { requiredKeys: [] }), hostileInput)
  .map((value) => JSON.stringify(value) ?? "null");

const half = (size: number) => Math.max(1, Math.floor(size / 2));

/**
 * Shapes that are cheap to send and may be dear to read, as JSON text of about `size` characters
 * (at most 64 KB): deep nesting, long paths, wide objects, long strings, in `json` and in `meta`.
 */
const BULK_SHAPES: ((size: number) => string)[] = [
  (size) => `{"json":{},"meta":{"values":"${"x".repeat(size)}"}}`,
  (size) => `{"json":{},"meta":{"values":${"[".repeat(half(size))}${"]".repeat(half(size))},"v":1}}`,
  (size) =>
    `{"json":{},"meta":{"values":${'["undefined",{"a":'.repeat(Math.floor(size / 20))}1${"}]".repeat(Math.floor(size / 20))},"v":1}}`,
  (size) => `{"json":{},"meta":{"values":{"${"a.".repeat(half(size))}a":["undefined"]},"v":1}}`,
  (size) =>
    `{"json":{},"meta":{"values":{${Array.from({ length: Math.floor(size / 24) }, (_, index) => `"f${index}":["undefined"]`).join(",")}},"v":1}}`,
  (size) =>
    `{"json":{"a":{}},"meta":{"referentialEqualities":{"a":[${Array.from({ length: Math.floor(size / 12) }, (_, index) => `"b.${index}"`).join(",")}]},"v":1}}`,
  (size) => `{"json":${'{"a":'.repeat(Math.floor(size / 6))}1${"}".repeat(Math.floor(size / 6))}}`,
  (size) => `{"json":${"[".repeat(half(size))}${"]".repeat(half(size))}}`,
  (size) => `{"json":{"roomId":"${"x".repeat(size)}","ciphertext":"${"A".repeat(16)}"}}`,
  (size) =>
    `{"json":{${Array.from({ length: Math.floor(size / 16) }, (_, index) => `"k${index}":${index}`).join(",")}}}`,
  (size) => `{${Array.from({ length: Math.floor(size / 20) }, (_, index) => `"${index}":{"json":{}}`).join(",")}}`,
  (size) => `{"json":{"roomId":"${"\\u0000".repeat(Math.floor(size / 6))}"}}`,
  (size) => "[".repeat(size),
];

export const bulkPayload = fc
  .tuple(fc.integer({ min: 0, max: BULK_SHAPES.length - 1 }), fc.integer({ min: 16, max: 64 * 1024 - 100 }))
  .map(([shape, size]) => BULK_SHAPES[shape]!(size));
