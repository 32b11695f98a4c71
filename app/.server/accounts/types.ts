/**
 * What the server keeps about an account. The password never reaches the server: the browser
 * stretches it (kdf + salt) into an auth key, which the server hashes again (argon2id, the
 * verifier), and a wrapping key, which never leaves the browser and seals the private keys.
 */

/** How the browser stretches the password; per account, so the iteration count can grow. */
export interface KdfParams {
  algorithm: "PBKDF2-SHA-256";
  iterations: number;
}

/**
 * One public half of the account's identity (see app/lib/crypto/identity-keys.ts): the
 * algorithm ("ECDH-P-256", "X25519", "ECDSA-P-256", "Ed25519") and the raw key in base64url.
 */
export interface PublicKey {
  algorithm: string;
  publicKey: string;
}

/** What anyone may learn about an account (the next issue shows it to people who find it). */
export interface Account {
  id: string;
  /** Lowercase: names are unique without regard to case, and stored in one form. */
  username: string;
  /** Every pair's public half, in the order the browser gave them. */
  publicKeys: PublicKey[];
  createdAt: Date;
}

/**
 * What sign-in needs: the salt and parameters for the browser, the verifier, and the identity
 * (private halves wrapped by the browser) sealed again by the server (identity-seal.ts).
 */
export interface AccountCredentials extends Account {
  kdf: KdfParams;
  salt: Uint8Array;
  /** argon2id PHC string of the auth key. */
  verifier: string;
  sealedIdentity: Uint8Array;
}

export interface NewAccount {
  /** As typed; the store keeps its lowercase form. Must already pass checkUsername. */
  username: string;
  kdf: KdfParams;
  salt: Uint8Array;
  verifier: string;
  publicKeys: PublicKey[];
  sealedIdentity: Uint8Array;
}

export type CreateAccountOutcome = { status: "created"; account: Account } | { status: "username-taken" };

/** A password change: a new salt, parameters and verifier, and the same private keys re-wrapped. */
export interface NewCredentials {
  kdf: KdfParams;
  salt: Uint8Array;
  verifier: string;
  sealedIdentity: Uint8Array;
}

/** One signed-in browser. The token itself is never stored, only its SHA-256. */
export interface Session {
  id: string;
  accountId: string;
  /** A summary such as "Chrome on Linux"; no address is ever stored. */
  userAgent: string;
  createdAt: Date;
  lastUsedAt: Date;
  expiresAt: Date;
}

export interface NewSession {
  accountId: string;
  tokenHash: Uint8Array;
  userAgent: string;
  now: Date;
  expiresAt: Date;
}

export interface BlockedAccount {
  accountId: string;
  username: string;
  blockedAt: Date;
}

export type BlockOutcome = "blocked" | "already-blocked" | "no-such-account" | "self";

/**
 * Accounts, their sessions and their blocks. Two implementations held to one contract suite
 * (account-store.contract.test.ts): PostgreSQL when DATABASE_URL is set, memory otherwise.
 *
 * Times are passed in rather than read from a clock, so both stores judge expiry by the app's
 * clock (not the database's) and tests can move time.
 */
export interface AccountStore {
  readonly kind: "memory" | "postgres";

  /** Fails only when the username (in any case) is taken. */
  createAccount(account: NewAccount, now: Date): Promise<CreateAccountOutcome>;
  /** By name in any case; null for an unknown or invalid name. */
  findByUsername(username: string): Promise<AccountCredentials | null>;
  getAccount(id: string): Promise<Account | null>;
  /**
   * The names of several accounts at once (a chat list of hundreds): id to username, unknown ids
   * left out. Names only, so a list does not read or copy whole accounts.
   */
  usernamesOf(ids: string[]): Promise<Map<string, string>>;
  /**
   * Names starting with `prefix` (the stored, lowercase form), in name order, at most `limit`:
   * how people find each other. Never all names: the caller asks for a prefix of 2 or more.
   * A prefix no name could start with finds nobody.
   */
  searchUsernames(prefix: string, limit: number): Promise<string[]>;
  /**
   * A password change, in one step: the new credentials, and every session but `keepSessionId`
   * ended, so no browser signed in under the old password outlives the change. How many
   * sessions ended; null when the account is gone.
   */
  changeCredentials(id: string, credentials: NewCredentials, keepSessionId: string): Promise<number | null>;
  /** Removes the account with every session and block it is part of, in one step. False when gone. */
  deleteAccount(id: string): Promise<boolean>;

  createSession(session: NewSession): Promise<Session>;
  /** The live session for a token's hash; null when unknown, revoked or expired at `now`. */
  findSession(tokenHash: Uint8Array, now: Date): Promise<Session | null>;
  /**
   * Records a use and slides the expiry. Callers touch at most once a minute per session, so a
   * busy browser costs no write per request. False when the session is gone or expired.
   */
  touchSession(tokenHash: Uint8Array, now: Date, expiresAt: Date): Promise<boolean>;
  /** The account's live sessions, most recently used first. */
  listSessions(accountId: string, now: Date): Promise<Session[]>;
  /** Only the account's own session can be revoked. False when it is not one of theirs. */
  revokeSession(accountId: string, sessionId: string): Promise<boolean>;
  /** "Sign out everywhere else": how many sessions ended. */
  revokeOtherSessions(accountId: string, keepSessionId: string): Promise<number>;
  /** Removes sessions expired at `now` (they are already refused); how many went. */
  deleteExpiredSessions(now: Date): Promise<number>;

  block(blockerId: string, blockedId: string, now: Date): Promise<BlockOutcome>;
  /** False when there was no such block. */
  unblock(blockerId: string, blockedId: string): Promise<boolean>;
  /** One direction: whether `blockerId` blocked `blockedId`. */
  isBlocked(blockerId: string, blockedId: string): Promise<boolean>;
  /** Whom the account blocked, most recent first. */
  listBlocked(blockerId: string): Promise<BlockedAccount[]>;

  /** Throws when the backing database cannot be reached (for /readyz). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
