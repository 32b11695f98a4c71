import { deriveAccountKeys, newKdfParams, type KdfParams } from "./crypto/account-kdf";
import { createIdentity, rewrap, UnwrapError, unwrapIdentity, type WrappedIdentity } from "./crypto/identity-keys";
import type { KeyKeeper } from "./crypto/key-keeper";

/**
 * The `account` procedures this module calls, as the tRPC client exposes them. Declared here
 * rather than taken from the router so the module stays framework-free; passing the real
 * `client.account` still checks it against the server's types.
 */
export interface AccountApi {
  salt: { query(input: { username: string }): Promise<{ kdf: KdfParams }> };
  signUp: {
    mutate(input: {
      username: string;
      kdf: KdfParams;
      authKey: string;
      identity: WrappedIdentity;
    }): Promise<{ username: string }>;
  };
  signIn: {
    mutate(input: {
      username: string;
      authKey: string;
    }): Promise<{ username: string; kdf: KdfParams; identity: WrappedIdentity }>;
  };
  signOut: { mutate(input: Record<string, never>): Promise<unknown> };
  changePassword: {
    mutate(input: {
      currentAuthKey: string;
      kdf: KdfParams;
      authKey: string;
      identity: WrappedIdentity;
    }): Promise<{ otherSessionsSignedOut: number }>;
  };
  delete: { mutate(input: { username: string }): Promise<unknown> };
}

/**
 * Where the wrapped identity of the signed-in account waits for a password change, which must
 * re-wrap it and has no other way to get it than signing in again. It is sealed with the
 * password's wrapping key: the server holds the same blob.
 */
export interface WrappedIdentityCache {
  load(username: string): WrappedIdentity | null;
  save(username: string, identity: WrappedIdentity): void;
  clear(): void;
}

/** A password change whose current password is not the account's. */
export class WrongCurrentPasswordError extends Error {
  constructor() {
    super("currentPassword: wrong password");
    this.name = "WrongCurrentPasswordError";
  }
}

export interface AccountClientOptions {
  /** Lower only in tests, which cannot wait 600,000 iterations per step. */
  minimumIterations?: number;
  iterations?: number;
}

/**
 * Every account action that involves the password. The password goes no further than this
 * module: it is stretched here, and only the auth key and sealed keys are sent.
 */
export class AccountClient {
  constructor(
    private readonly api: AccountApi,
    private readonly keeper: KeyKeeper,
    private readonly cache: WrappedIdentityCache,
    private readonly options: AccountClientOptions = {},
  ) {}

  async signUp(username: string, password: string): Promise<{ username: string }> {
    const kdf = newKdfParams(this.options.iterations);
    const { authKey, wrappingKey } = await this.derive(password, kdf);
    const { wrapped, keys } = await createIdentity(wrappingKey, username);
    const account = await this.api.signUp.mutate({ username, kdf, authKey, identity: wrapped });
    await this.keeper.keep(account.username, keys);
    this.cache.save(account.username, wrapped);
    return account;
  }

  async signIn(username: string, password: string): Promise<{ username: string }> {
    const { kdf } = await this.api.salt.query({ username });
    const { authKey, wrappingKey } = await this.derive(password, kdf);
    const account = await this.api.signIn.mutate({ username, authKey });
    // The server answered the auth key, so the password is right: a blob that will not open is
    // the server's doing, and unwrapIdentity's error says so.
    const keys = await unwrapIdentity(account.identity, wrappingKey, account.username);
    await this.keeper.keep(account.username, keys);
    this.cache.save(account.username, account.identity);
    return { username: account.username };
  }

  async signOut(): Promise<void> {
    try {
      await this.api.signOut.mutate({});
    } finally {
      // Whatever the server said, this browser should not keep the keys of an account it left.
      await this.forget();
    }
  }

  /** Same key pairs, new salt and wrapping key; the server signs out every other browser. */
  async changePassword(
    username: string,
    currentPassword: string,
    nextPassword: string,
  ): Promise<{ otherSessionsSignedOut: number }> {
    const { kdf: currentKdf } = await this.api.salt.query({ username });
    const current = await this.derive(currentPassword, currentKdf);
    const kdf = newKdfParams(this.options.iterations);
    const next = await this.derive(nextPassword, kdf);
    const identity = await this.rewrapped(username, current, next.wrappingKey);
    const result = await this.api.changePassword.mutate({
      currentAuthKey: current.authKey,
      kdf,
      authKey: next.authKey,
      identity,
    });
    this.cache.save(username, identity);
    return { otherSessionsSignedOut: result.otherSessionsSignedOut };
  }

  async deleteAccount(typedUsername: string): Promise<void> {
    await this.api.delete.mutate({ username: typedUsername });
    await this.forget();
  }

  /** When the server says this browser is no longer signed in (revoked elsewhere, expired). */
  async forget(): Promise<void> {
    this.cache.clear();
    await this.keeper.forget();
  }

  private derive(password: string, kdf: KdfParams) {
    return deriveAccountKeys(password, kdf, { minimumIterations: this.options.minimumIterations });
  }

  /**
   * The account's keys under the new wrapping key. The blob this browser cached at sign-in is
   * used when the current password opens it; when it does not (a mistyped password, or storage
   * cleared), signing in again with the current password fetches the server's blob, and the
   * server, rate limits and all, says whether the password is right.
   */
  private async rewrapped(
    username: string,
    current: { authKey: string; wrappingKey: CryptoKey },
    nextWrappingKey: CryptoKey,
  ): Promise<WrappedIdentity> {
    const cached = this.cache.load(username);
    if (cached) {
      try {
        return await rewrap(cached, current.wrappingKey, nextWrappingKey, username);
      } catch (error) {
        if (!(error instanceof UnwrapError)) throw error;
      }
    }
    let identity: WrappedIdentity;
    try {
      ({ identity } = await this.api.signIn.mutate({ username, authKey: current.authKey }));
    } catch (error) {
      const code = (error as { data?: { code?: unknown } | null }).data?.code;
      throw code === "UNAUTHORIZED" ? new WrongCurrentPasswordError() : error;
    }
    this.cache.save(username, identity);
    return rewrap(identity, current.wrappingKey, nextWrappingKey, username);
  }
}

const CACHE_KEY = "ephemera:account-identity";

/** localStorage in a browser; nothing (always a miss) where there is none. */
export function localWrappedIdentityCache(): WrappedIdentityCache {
  const storage = typeof globalThis.localStorage === "undefined" ? null : globalThis.localStorage;
  return {
    load(username) {
      try {
        const stored = JSON.parse(storage?.getItem(CACHE_KEY) ?? "null") as {
          username?: unknown;
          identity?: WrappedIdentity;
        } | null;
        return stored && stored.username === username.toLowerCase() && stored.identity ? stored.identity : null;
      } catch {
        return null;
      }
    },
    save(username, identity) {
      storage?.setItem(CACHE_KEY, JSON.stringify({ username: username.toLowerCase(), identity }));
    },
    clear() {
      storage?.removeItem(CACHE_KEY);
    },
  };
}
