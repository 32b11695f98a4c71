import { randomBytes } from "node:crypto";
import type { Services } from "~/.server/services";
import { createContext } from "~/.server/trpc/context";
import { createCaller } from "~/.server/trpc/root";
import type { KdfParams } from "~/lib/crypto/account-kdf";
import type { WrappedIdentity } from "~/lib/crypto/identity-keys";
import { CHROME_UA } from "./app";

export const FIREFOX_WINDOWS_UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0";

const base64url = (bytes: number) => randomBytes(bytes).toString("base64url");

/** A 32-byte auth key as deriveAccountKeys writes it. */
export const fakeAuthKey = () => base64url(32);

export const fakeKdf = (): KdfParams => ({ algorithm: "PBKDF2-SHA-256", iterations: 600_000, salt: base64url(16) });

/**
 * An identity shaped as identity-keys.ts writes one (the server never opens it): both P-256 pairs
 * and, as most browsers have them, the 25519 pairs.
 */
export function fakeIdentity(): WrappedIdentity {
  return {
    version: 1,
    keyPairs: [
      { algorithm: "X25519", publicKey: base64url(32), wrappedPrivateKey: base64url(12 + 48 + 16) },
      { algorithm: "ECDH-P-256", publicKey: base64url(65), wrappedPrivateKey: base64url(12 + 138 + 16) },
      { algorithm: "Ed25519", publicKey: base64url(32), wrappedPrivateKey: base64url(12 + 48 + 16) },
      { algorithm: "ECDSA-P-256", publicKey: base64url(65), wrappedPrivateKey: base64url(12 + 138 + 16) },
    ],
  };
}

/** What a browser signing up sends, with made-up keys. */
export function fakeSignUp(username: string) {
  return { username, kdf: fakeKdf(), authKey: fakeAuthKey(), identity: fakeIdentity() };
}

/**
 * One browser calling the procedures server-side: it keeps the session cookie the answers set
 * (and drops it when they clear it), and sends it with every later call, as a browser would.
 */
export class TestBrowser {
  cookie: string | null = null;
  /** Every Set-Cookie the last call answered with. */
  lastSetCookies: readonly string[] = [];

  constructor(
    private readonly services: Services,
    readonly options: { userAgent?: string; address?: string } = {},
  ) {}

  async call<T>(run: (caller: ReturnType<typeof createCaller>) => Promise<T>): Promise<T> {
    const headers = new Headers({ "user-agent": this.options.userAgent ?? CHROME_UA });
    if (this.cookie) headers.set("cookie", this.cookie);
    const ctx = createContext(headers, this.services, this.options.address ?? "203.0.113.20");
    try {
      return await run(createCaller(ctx));
    } finally {
      this.lastSetCookies = [...ctx.responseCookies.pending];
      for (const setCookie of this.lastSetCookies) {
        const pair = setCookie.split(";")[0] ?? "";
        this.cookie = /;\s*Max-Age=0\b/i.test(setCookie) ? null : pair;
      }
    }
  }
}
