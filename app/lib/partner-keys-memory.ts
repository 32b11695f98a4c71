import type { AccountPublicKey } from "~/shared/direct-chats";
import { toBase64Url } from "./crypto/base64url";

/** First time this browser meets the partner, the keys it met them with, or other keys. */
export type PartnerKeysVerdict = "new" | "same" | "changed";

/** localStorage's part this module uses; memory in tests. */
export interface PartnerKeysStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

const STORAGE_PREFIX = "ephemera:partner-keys:";

/**
 * One text for a set of public keys, whatever their order: SHA-256 over each `algorithm:key`,
 * sorted. Short enough to keep for every partner, and it says nothing the server does not publish.
 */
export async function keysFingerprint(publicKeys: readonly AccountPublicKey[]): Promise<string> {
  const text = publicKeys
    .map(({ algorithm, publicKey }) => `${algorithm}:${publicKey}`)
    .sort()
    .join("\n");
  const digest = await globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return toBase64Url(new Uint8Array(digest));
}

/**
 * The public keys each chat partner had when this browser first met them, per own account. The
 * server hands out the keys a chat is encrypted to: one that swapped a partner's keys (or a name
 * taken again after its account was deleted) shows up here as `changed`, until the person has
 * compared safety codes and accepts the new keys. Trust on first use: a new partner's keys are
 * remembered as they come.
 */
export class PartnerKeysMemory {
  private readonly key: string;

  constructor(
    private readonly storage: PartnerKeysStorage | null,
    ownUsername: string,
  ) {
    this.key = STORAGE_PREFIX + ownUsername.toLowerCase();
  }

  async check(partner: string, publicKeys: readonly AccountPublicKey[]): Promise<PartnerKeysVerdict> {
    const fingerprint = await keysFingerprint(publicKeys);
    const known = this.read();
    const remembered = known[partner.toLowerCase()];
    if (remembered === fingerprint) return "same";
    if (remembered !== undefined) return "changed";
    this.write({ ...known, [partner.toLowerCase()]: fingerprint });
    return "new";
  }

  /** After a change, once the person compared safety codes: these are the partner's keys now. */
  async accept(partner: string, publicKeys: readonly AccountPublicKey[]): Promise<void> {
    const fingerprint = await keysFingerprint(publicKeys);
    this.write({ ...this.read(), [partner.toLowerCase()]: fingerprint });
  }

  private read(): Record<string, string> {
    try {
      const parsed: unknown = JSON.parse(this.storage?.getItem(this.key) ?? "{}");
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return {};
      return Object.fromEntries(
        Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === "string"),
      );
    } catch {
      // Storage disabled, or something else wrote there: nothing is remembered.
      return {};
    }
  }

  private write(known: Record<string, string>): void {
    try {
      this.storage?.setItem(this.key, JSON.stringify(known));
    } catch {
      // Full or disabled: the next visit meets the partner as new again.
    }
  }
}

/** This browser's localStorage, or null where there is none (server rendering, strict settings). */
export function browserPartnerKeysStorage(): PartnerKeysStorage | null {
  try {
    return typeof window === "undefined" ? null : window.localStorage;
  } catch {
    return null;
  }
}
