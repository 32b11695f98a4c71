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
