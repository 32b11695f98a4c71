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
  identity: { mutate(input: { currentAuthKey: string }): Promise<{ identity: WrappedIdentity }> };
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

const WRONG_CURRENT_PASSWORD = "currentPassword: wrong password";

/** A password change whose current password is not the account's. */
export class WrongCurrentPasswordError extends Error {
  constructor() {
    super(WRONG_CURRENT_PASSWORD);
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
    private readonly options: AccountClientOptions = {},
  ) {}

  async signUp(username: string, password: string): Promise<{ username: string }> {
    const kdf = newKdfParams(this.options.iterations);
    const { authKey, wrappingKey } = await this.derive(password, kdf);
    const { wrapped, keys } = await createIdentity(wrappingKey, username);
    const account = await this.api.signUp.mutate({ username, kdf, authKey, identity: wrapped });
    await this.keeper.keep(account.username, keys);
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
    return { otherSessionsSignedOut: result.otherSessionsSignedOut };
  }

  async deleteAccount(typedUsername: string): Promise<void> {
    await this.api.delete.mutate({ username: typedUsername });
    await this.forget();
  }

  /** When the server says this browser is no longer signed in (revoked elsewhere, expired). */
  async forget(): Promise<void> {
    await this.keeper.forget();
  }

  private derive(password: string, kdf: KdfParams) {
    return deriveAccountKeys(password, kdf, { minimumIterations: this.options.minimumIterations });
  }

  /**
   * The account's keys under the new wrapping key. The server hands the wrapped keys only to
   * the current password's auth key, so this browser keeps no copy to guess against offline.
   */
  private async rewrapped(
    username: string,
    current: { authKey: string; wrappingKey: CryptoKey },
    nextWrappingKey: CryptoKey,
  ): Promise<WrappedIdentity> {
    let identity: WrappedIdentity;
    try {
      ({ identity } = await this.api.identity.mutate({ currentAuthKey: current.authKey }));
    } catch (error) {
      // "Sign in first" (a session revoked meanwhile) is UNAUTHORIZED too, and is not this.
      throw (error as Error).message === WRONG_CURRENT_PASSWORD ? new WrongCurrentPasswordError() : error;
    }
    return rewrap(identity, current.wrappingKey, nextWrappingKey, username);
  }
}
