import { deriveAccountKeys, newKdfParams, type KdfParams } from "./crypto/account-kdf";
import { createIdentity, rewrap, unwrapIdentity, type WrappedIdentity } from "./crypto/identity-keys";
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
    private readonly options: AccountClientOptions = {}
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
    nextPassword: string
  ): Promise<{ otherSessionsSignedOut: number }> {
    const { kdf: currentKdf } = await this.api.salt.query({ username });
    const current = await this.derive(currentPassword, currentKdf);
    const wrapped = await this.wrappedIdentity(username, current.authKey);
    const kdf = newKdfParams(this.options.iterations);
    const next = await this.derive(nextPassword, kdf);
    const identity = await rewrap(wrapped, current.wrappingKey, next.wrappingKey, username);
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
   * The blob as the server holds it. A browser that signed in here has it cached; otherwise
   * (storage cleared) signing in again with the current password fetches it, and proves the
   * password before anything is re-wrapped.
   */
  private async wrappedIdentity(username: string, currentAuthKey: string): Promise<WrappedIdentity> {
    const cached = this.cache.load(username);
    if (cached) return cached;
    const { identity } = await this.api.signIn.mutate({ username, authKey: currentAuthKey });
    return identity;
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
