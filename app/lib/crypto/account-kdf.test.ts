import { hkdfSync, pbkdf2Sync } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  AUTH_KEY_BYTES,
  DEFAULT_PBKDF2_ITERATIONS,
  deriveAccountKeys,
  type KdfParams,
  KdfParamsError,
  MAX_PBKDF2_ITERATIONS,
  newKdfParams,
  newSalt,
  SALT_BYTES,
} from "./account-kdf";
import { fromBase64Url, toBase64Url } from "./base64url";

/** Most tests stretch this little: the construction is the same, and 600,000 rounds each would take minutes. */
const FAST = 1_000;
const fast = { minimumIterations: FAST };
const PASSWORD = "correct horse battery staple";
const SALT = toBase64Url(Uint8Array.from({ length: SALT_BYTES }, (_, index) => index));
const params = (overrides: Partial<KdfParams> = {}): KdfParams => ({
  algorithm: "PBKDF2-SHA-256",
  iterations: FAST,
  salt: SALT,
  ...overrides,
});

/** The same construction computed by Node's own PBKDF2 and HKDF, independently of WebCrypto. */
function nodeDerived(password: string, { salt, iterations }: KdfParams, info: string): Buffer {
  const stretched = pbkdf2Sync(password.normalize("NFKC"), fromBase64Url(salt), iterations, 32, "sha256");
  return Buffer.from(hkdfSync("sha256", stretched, new Uint8Array(0), info, 32));
}

const bytesOf = (text: string) => new TextEncoder().encode(text);

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  return Buffer.from(haystack).includes(Buffer.from(needle));
}

describe("account key derivation", () => {
  it("gives the same auth key for the same password and salt, and it is PBKDF2 then HKDF", async () => {
    const first = await deriveAccountKeys(PASSWORD, params(), fast);
    const second = await deriveAccountKeys(PASSWORD, params(), fast);
    expect(first.authKey).toMatch(/^[\w-]{43}$/);
    expect(fromBase64Url(first.authKey)).toHaveLength(AUTH_KEY_BYTES);
    expect(second.authKey).toBe(first.authKey);
    expect(first.authKey).toBe(nodeDerived(PASSWORD, params(), "ephemera/1/account/auth-key").toString("base64url"));
  });

  it("gives another auth key for another salt or another password", async () => {
    const base = (await deriveAccountKeys(PASSWORD, params(), fast)).authKey;
    const otherSalt = (await deriveAccountKeys(PASSWORD, params({ salt: newSalt() }), fast)).authKey;
    const otherPassword = (await deriveAccountKeys(`${PASSWORD}!`, params(), fast)).authKey;
    const caseOnly = (await deriveAccountKeys(PASSWORD.toUpperCase(), params(), fast)).authKey;
    expect(new Set([base, otherSalt, otherPassword, caseOnly]).size).toBe(4);
  });

  it("respects the iteration count it is given", async () => {
    const thousand = (await deriveAccountKeys(PASSWORD, params({ iterations: FAST }), fast)).authKey;
    const more = (await deriveAccountKeys(PASSWORD, params({ iterations: FAST + 1 }), fast)).authKey;
    expect(more).not.toBe(thousand);
    const expected = nodeDerived(PASSWORD, params({ iterations: FAST + 1 }), "ephemera/1/account/auth-key");
    expect(more).toBe(expected.toString("base64url"));
  });

  it("never sends the password: the auth key neither is it nor contains it", async () => {
    // A password exactly as long as the key, which a careless construction could pass through whole.
    const password = "abcdefghijklmnopqrstuvwxyz012345";
    const { authKey } = await deriveAccountKeys(password, params(), fast);
    const keyBytes = fromBase64Url(authKey);
    expect(authKey).not.toBe(password);
    expect(authKey).not.toContain(toBase64Url(bytesOf(password)));
    expect(contains(keyBytes, bytesOf(password))).toBe(false);
    expect(contains(keyBytes, bytesOf(password.slice(0, 8)))).toBe(false);
  });

  it("keeps the wrapping key inside WebCrypto: AES-GCM-256 and not extractable", async () => {
    const { wrappingKey } = await deriveAccountKeys(PASSWORD, params(), fast);
    expect(wrappingKey.extractable).toBe(false);
    expect(wrappingKey.algorithm).toMatchObject({ name: "AES-GCM", length: 256 });
    await expect(globalThis.crypto.subtle.exportKey("raw", wrappingKey)).rejects.toThrow();
  });

  it("makes a wrapping key that is the HKDF wrapping label's, not the auth key", async () => {
    const subtle = globalThis.crypto.subtle;
    const { authKey, wrappingKey } = await deriveAccountKeys(PASSWORD, params(), fast);
    const iv = new Uint8Array(12);
    const sealed = await subtle.encrypt({ name: "AES-GCM", iv }, wrappingKey, bytesOf("wrapped"));
    const importAes = (bytes: Uint8Array<ArrayBuffer>) => subtle.importKey("raw", bytes, "AES-GCM", false, ["decrypt"]);

    const expected = nodeDerived(PASSWORD, params(), "ephemera/1/account/wrapping-key");
    const opened = await subtle.decrypt({ name: "AES-GCM", iv }, await importAes(new Uint8Array(expected)), sealed);
    expect(new TextDecoder().decode(opened)).toBe("wrapped");

    // What the server receives opens nothing the wrapping key sealed.
    const asAuthKey = await importAes(fromBase64Url(authKey));
    await expect(subtle.decrypt({ name: "AES-GCM", iv }, asAuthKey, sealed)).rejects.toThrow();
  });

  it.each([
    ["composed and decomposed é", "caf\u00e9 au lait!", "cafe\u0301 au lait!"],
    ["full-width and ASCII letters and digits", "\uff50\uff41\uff53\uff53\uff17\uff17", "pass77"],
  ])("treats %s as the same password (NFKC)", async (_, one, other) => {
    const first = await deriveAccountKeys(one, params(), fast);
    const second = await deriveAccountKeys(other, params(), fast);
    expect(second.authKey).toBe(first.authKey);
  });

  it("makes fresh 16-byte salts and parameters at the default count", () => {
    const salts = new Set(Array.from({ length: 50 }, () => newSalt()));
    expect(salts.size).toBe(50);
    for (const salt of salts) {
      expect(salt).toMatch(/^[\w-]{22}$/);
      expect(fromBase64Url(salt)).toHaveLength(SALT_BYTES);
    }
    expect(newKdfParams()).toMatchObject({ algorithm: "PBKDF2-SHA-256", iterations: 600_000 });
    expect(DEFAULT_PBKDF2_ITERATIONS).toBe(600_000);
  });

  it("refuses a count below the default unless told otherwise, so a server cannot weaken it", async () => {
    await expect(deriveAccountKeys(PASSWORD, params({ iterations: FAST }))).rejects.toBeInstanceOf(KdfParamsError);
    await expect(deriveAccountKeys(PASSWORD, params({ iterations: 599_999 }))).rejects.toBeInstanceOf(KdfParamsError);
    await expect(deriveAccountKeys(PASSWORD, params({ iterations: FAST - 1 }), fast)).rejects.toThrow(
      /1000 to 10000000/,
    );
  });

  it.each<[string, Partial<KdfParams>]>([
    ["more iterations than a tab should run", { iterations: MAX_PBKDF2_ITERATIONS + 1 }],
    ["a fractional count", { iterations: FAST + 0.5 }],
    ["a count that is not a number", { iterations: Number.NaN }],
    ["a salt of 15 bytes", { salt: toBase64Url(new Uint8Array(15)) }],
    ["a salt of 65 bytes", { salt: toBase64Url(new Uint8Array(65)) }],
    ["a salt in standard base64", { salt: "AAAAAAAAAAAAAAAAAAAA+/==" }],
    ["another algorithm", { algorithm: "PBKDF2-SHA-1" as KdfParams["algorithm"] }],
  ])("refuses parameters with %s", async (_, overrides) => {
    await expect(deriveAccountKeys(PASSWORD, params(overrides), fast)).rejects.toBeInstanceOf(KdfParamsError);
  });

  it("names its error", () => {
    const error = new KdfParamsError("bad");
    expect(error.name).toBe("KdfParamsError");
    expect(error).toBeInstanceOf(Error);
  });

  it("runs at the real default of 600,000 iterations, matching Node's PBKDF2", async () => {
    const real = newKdfParams();
    const { authKey, wrappingKey } = await deriveAccountKeys(PASSWORD, real);
    expect(wrappingKey.extractable).toBe(false);
    expect(authKey).toBe(nodeDerived(PASSWORD, real, "ephemera/1/account/auth-key").toString("base64url"));
  });
});
