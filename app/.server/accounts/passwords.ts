import { hash, verify, type Algorithm } from "@node-rs/argon2";
import { randomBytes } from "node:crypto";
import { availableParallelism } from "node:os";
import { createHashGate } from "./hash-gate";

/**
 * argon2id at OWASP's first recommended setting (Password Storage Cheat Sheet): 19 MiB of memory,
 * 2 passes, 1 lane. What is hashed is the browser's auth key (already PBKDF2-stretched from the
 * password), so this guards a stolen database: each guess costs the PBKDF2 run and this.
 * @node-rs/argon2 hashes on libuv's thread pool, off the event loop.
 */
export const ARGON2_PARAMS = {
  // Algorithm.Argon2id: a const enum, which isolated modules cannot read, so its value.
  algorithm: 2 as Algorithm.Argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

/**
 * What argon2 hashes: the key's base64url text. @node-rs/argon2's verify reads a byte password as
 * UTF-8 text and fails on random bytes ("invalid utf-8 sequence"), so bytes go in as ASCII. One
 * canonical encoding of the bytes, so however the browser spelled the key, the same key matches.
 */
const passwordOf = (authKey: Uint8Array) =>
  Buffer.from(authKey.buffer, authKey.byteOffset, authKey.byteLength).toString("base64url");

/**
 * How many hashes run at once, and how long one may wait. libuv's pool runs four at once whatever
 * the cores: on a 2-core machine four 19 MiB argon2id runs took both cores from the event loop, and
 * a burst of sign-ins stalled every chat on the instance (bench `sign-in`). One core is left to the
 * event loop. In a burst, a hash that has waited longer than 400 ms is refused when its turn comes
 * (and a queue of 32 per thread refuses at once), so a sign-in answers within about half a second,
 * if only with "try again", instead of queueing for seconds. The last few in line are always
 * served: in a CI run with browsers busy on both cores, one hash took longer than the whole
 * wait, and a test signing up two people at once was told to try again.
 */
const HASHES_AT_ONCE = Math.max(1, availableParallelism() - 1);
const gated = createHashGate({
  atOnce: HASHES_AT_ONCE,
  maxWaiting: 32 * HASHES_AT_ONCE,
  maxWaitMs: 400,
  alwaysServed: 4 * HASHES_AT_ONCE,
});

/** The argon2id verifier (PHC string) to store for an auth key. */
export function hashAuthKey(authKey: Uint8Array): Promise<string> {
  return gated(() => hash(passwordOf(authKey), ARGON2_PARAMS));
}

/** Whether the auth key matches; false (never a throw) for a damaged verifier. */
export async function verifyAuthKey(verifier: string, authKey: Uint8Array): Promise<boolean> {
  return gated(async () => {
    try {
      return await verify(verifier, passwordOf(authKey));
    } catch {
      return false;
    }
  });
}

let dummyVerifier: Promise<string> | undefined;

/**
 * Makes the dummy verifier now (at startup) rather than at the first unknown-name sign-in, which
 * would otherwise take a hash longer than every later one.
 */
export function prepareDummyVerify(): Promise<string> {
  // From a random key, once per process, so no auth key can ever match it.
  dummyVerifier ??= hashAuthKey(randomBytes(32));
  return dummyVerifier;
}

/**
 * The same work as checking a real account's verifier, for a username no account has: sign-in
 * then takes as long for an unknown name as for a wrong password. Always false.
 */
export async function dummyVerify(authKey: Uint8Array): Promise<false> {
  await verifyAuthKey(await prepareDummyVerify(), authKey);
  return false;
}

/** Whether a verifier was made with other parameters than today's: rehash at the next sign-in. */
export function verifierNeedsRehash(verifier: string): boolean {
  const { memoryCost, timeCost, parallelism } = ARGON2_PARAMS;
  return !verifier.startsWith(`$argon2id$v=19$m=${memoryCost},t=${timeCost},p=${parallelism}$`);
}
