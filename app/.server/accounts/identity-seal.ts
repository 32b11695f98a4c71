import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import type { WrappedIdentity } from "~/lib/crypto/identity-keys";

const FORMAT_VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Keeps this use of the server secret apart from its others (cookies, rate-limit keys, salts). */
const KEY_LABEL = "ephemera/1/account-identity-seal";

/** The sealed blob does not open: the server secret changed, or the row was altered or moved. */
export class IdentitySealError extends Error {
  override name = "IdentitySealError";
}

/**
 * Seals the wrapped identity at rest (decision 023). The browser's wrapping already keeps the
 * private keys from the server; but a wrapped key is a check for a password guess cheaper than
 * the argon2id verifier (PBKDF2 + one AES-GCM decryption), so a copy of the database must not
 * hold one it can use. Sealed with AES-256-GCM under a key derived from the server secret, which
 * is kept outside the database, a copy alone costs PBKDF2 **plus** argon2id per guess.
 *
 * The additional data is the account's (lowercase, unchangeable) username: a sealed blob copied
 * onto another account's row does not open there. Blob: version byte, IV, ciphertext, tag.
 */
export class IdentitySeal {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = Buffer.from(hkdfSync("sha256", secret, "", KEY_LABEL, 32));
  }

  seal(identity: WrappedIdentity, username: string): Uint8Array {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(additionalData(username));
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify(identity), "utf8"), cipher.final()]);
    return new Uint8Array(Buffer.concat([Buffer.of(FORMAT_VERSION), iv, ciphertext, cipher.getAuthTag()]));
  }

  open(sealed: Uint8Array, username: string): WrappedIdentity {
    const blob = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
    if (blob.length <= 1 + IV_BYTES + TAG_BYTES || blob[0] !== FORMAT_VERSION) {
      throw new IdentitySealError("The sealed identity has an unknown format");
    }
    const iv = blob.subarray(1, 1 + IV_BYTES);
    const tag = blob.subarray(blob.length - TAG_BYTES);
    const decipher = createDecipheriv("aes-256-gcm", this.key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(additionalData(username));
    decipher.setAuthTag(tag);
    let plaintext: string;
    try {
      plaintext = Buffer.concat([
        decipher.update(blob.subarray(1 + IV_BYTES, blob.length - TAG_BYTES)),
        decipher.final(),
      ]).toString("utf8");
    } catch {
      throw new IdentitySealError("The sealed identity does not open: was SESSION_SECRET changed?");
    }
    // Sealed by this code from a validated input: its shape is known.
    return JSON.parse(plaintext) as WrappedIdentity;
  }
}

const additionalData = (username: string) =>
  Buffer.from(`ephemera/1/sealed-identity/${username.toLowerCase()}`, "utf8");
