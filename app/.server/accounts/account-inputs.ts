import { z } from "zod";
import { MAX_PBKDF2_ITERATIONS, DEFAULT_PBKDF2_ITERATIONS } from "~/lib/crypto/account-kdf";
import { fromBase64Url } from "~/lib/crypto/base64url";
import type { IdentityAlgorithm } from "~/lib/crypto/identity-keys";
import { checkUsername, USERNAME_MAX } from "~/shared/username";

/**
 * What the account procedures accept, shape by shape. The server cannot check a password (it
 * never sees one) nor open a wrapped key; it checks that everything has the shape the browser's
 * code writes (app/lib/crypto), so nothing odd is stored and served back to a browser later.
 */

/** Strict base64url (one text per byte string), or null. */
function decoded(text: string): Uint8Array | null {
  try {
    return fromBase64Url(text);
  } catch {
    return null;
  }
}

const base64url = (what: string, maxLength: number) =>
  z
    .string({ error: `must be ${what} (base64url text)` })
    .max(maxLength, { error: `must be at most ${maxLength} characters` })
    .refine((text) => decoded(text) !== null, { error: "must be base64url (letters, digits, '-' and '_')" });

/** As typed; the rules are checked before lowercasing (see username.ts). */
export const usernameSchema = z
  .string({ error: "must be a username" })
  // Longer than any name: refused without running the rules over a pasted essay.
  .max(USERNAME_MAX * 4, { error: `must be at most ${USERNAME_MAX} characters` })
  .superRefine((name, ctx) => {
    const check = checkUsername(name);
    if (!check.ok) ctx.addIssue({ code: "custom", message: check.problem });
  });

export const SALT_MIN_BYTES = 16;
export const SALT_MAX_BYTES = 64;

export const kdfSchema = z.object(
  {
    algorithm: z.literal("PBKDF2-SHA-256", { error: 'must be "PBKDF2-SHA-256"' }),
    iterations: z
      .number({ error: "must be a whole number" })
      .int({ error: "must be a whole number" })
      .min(DEFAULT_PBKDF2_ITERATIONS, { error: `must be at least ${DEFAULT_PBKDF2_ITERATIONS}` })
      .max(MAX_PBKDF2_ITERATIONS, { error: `must be at most ${MAX_PBKDF2_ITERATIONS}` }),
    salt: base64url("the salt", 86).refine(
      (text) => {
        const length = decoded(text)?.length ?? 0;
        return length >= SALT_MIN_BYTES && length <= SALT_MAX_BYTES;
      },
      { error: `must be ${SALT_MIN_BYTES} to ${SALT_MAX_BYTES} bytes` },
    ),
  },
  { error: "must be the key-derivation parameters" },
);

/** 32 bytes in base64url: 43 characters, the last of which leaves its two unused bits zero. */
export const authKeySchema = z
  .string({ error: "must be the auth key: 43 base64url characters" })
  .regex(/^[A-Za-z0-9_-]{43}$/, { error: "must be 43 base64url characters" })
  .refine((text) => decoded(text)?.length === 32, { error: "must be the base64url text of 32 bytes" });

/** Raw public key lengths: the uncompressed P-256 point, or a 25519 key. */
const PUBLIC_KEY_BYTES: Record<IdentityAlgorithm, number> = {
  "ECDH-P-256": 65,
  X25519: 32,
  "ECDSA-P-256": 65,
  Ed25519: 32,
};
const IDENTITY_ALGORITHMS = Object.keys(PUBLIC_KEY_BYTES) as [IdentityAlgorithm, ...IdentityAlgorithm[]];
/**
 * IV (12) + tag (16) + PKCS #8: 48 bytes for a 25519 key, up to about 140 for P-256 with its
 * public half. Bounded rather than exact: engines encode PKCS #8 differently.
 */
const WRAPPED_MIN_BYTES = 12 + 16 + 32;
const WRAPPED_MAX_BYTES = 12 + 16 + 256;

const keyPairSchema = z
  .object(
    {
      algorithm: z.enum(IDENTITY_ALGORITHMS, { error: `must be one of ${IDENTITY_ALGORITHMS.join(", ")}` }),
      publicKey: base64url("a raw public key", 88),
      wrappedPrivateKey: base64url("a wrapped private key", 400).refine(
        (text) => {
          const length = decoded(text)?.length ?? 0;
          return length >= WRAPPED_MIN_BYTES && length <= WRAPPED_MAX_BYTES;
        },
        { error: `must be ${WRAPPED_MIN_BYTES} to ${WRAPPED_MAX_BYTES} bytes` },
      ),
    },
    { error: "must be a key pair" },
  )
  .refine((pair) => decoded(pair.publicKey)?.length === PUBLIC_KEY_BYTES[pair.algorithm], {
    error: "must be 65 bytes for a P-256 key, 32 for X25519 or Ed25519",
    path: ["publicKey"],
  });

/** The WrappedIdentity of identity-keys.ts: each algorithm at most once, both P-256 pairs present. */
export const identitySchema = z
  .object(
    {
      version: z.literal(1, { error: "must be 1" }),
      keyPairs: z
        .array(keyPairSchema, { error: "must be a list of key pairs" })
        .min(2, { error: "must hold at least the two P-256 pairs" })
        .max(IDENTITY_ALGORITHMS.length, { error: `must hold at most ${IDENTITY_ALGORITHMS.length} pairs` }),
    },
    { error: "must be the wrapped identity" },
  )
  .superRefine((identity, ctx) => {
    const algorithms = identity.keyPairs.map((pair) => pair.algorithm);
    if (new Set(algorithms).size !== algorithms.length) {
      ctx.addIssue({ code: "custom", path: ["keyPairs"], message: "must hold each algorithm at most once" });
    }
    for (const required of ["ECDH-P-256", "ECDSA-P-256"] as const) {
      if (!algorithms.includes(required)) {
        ctx.addIssue({ code: "custom", path: ["keyPairs"], message: `must hold an ${required} pair` });
      }
    }
  });

/** Session ids are uuids; anything else is simply not one of the caller's sessions. */
export const sessionIdSchema = z
  .string({ error: "must be a session id" })
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, { error: "must be a session id" });
