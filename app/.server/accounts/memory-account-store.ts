import { randomUUID } from "node:crypto";
import { normalizeUsername } from "~/shared/username";
import type {
  Account,
  AccountCredentials,
  AccountStore,
  BlockedAccount,
  BlockOutcome,
  CreateAccountOutcome,
  NewAccount,
  NewCredentials,
  NewSession,
  PublicKey,
  Session,
} from "./types";

interface StoredSession extends Session {
  tokenKey: string;
}

const tokenKey = (tokenHash: Uint8Array) => Buffer.from(tokenHash).toString("hex");
const copyBytes = (bytes: Uint8Array) => new Uint8Array(bytes);
const copyDate = (date: Date) => new Date(date.getTime());
/** Code-unit order, as PostgreSQL's "C" collation and uuid comparison sort ties. */
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const copyPublicKeys = (keys: PublicKey[]): PublicKey[] =>
  keys.map(({ algorithm, publicKey }) => ({ algorithm, publicKey }));

const copyCredentials = (account: AccountCredentials): AccountCredentials => ({
  ...account,
  publicKeys: copyPublicKeys(account.publicKeys),
  createdAt: copyDate(account.createdAt),
  kdf: { ...account.kdf },
  salt: copyBytes(account.salt),
  sealedIdentity: copyBytes(account.sealedIdentity),
});

const publicView = (account: AccountCredentials): Account => ({
  id: account.id,
  username: account.username,
  publicKeys: copyPublicKeys(account.publicKeys),
  createdAt: copyDate(account.createdAt),
});

const sessionView = ({ tokenKey: _, ...session }: StoredSession): Session => ({
  ...session,
  createdAt: copyDate(session.createdAt),
  lastUsedAt: copyDate(session.lastUsedAt),
  expiresAt: copyDate(session.expiresAt),
});

/**
 * Accounts in this process's memory, for the zero-setup `npm start`: they end with the process.
 * Behaves exactly as the PostgreSQL store does (one contract suite holds both). Every answer is
 * a copy, so no caller can change what is stored by changing what it was given.
 */
export class MemoryAccountStore implements AccountStore {
  readonly kind = "memory";
  private readonly accounts = new Map<string, AccountCredentials>();
  private readonly idsByUsername = new Map<string, string>();
  private readonly sessions = new Map<string, StoredSession>();
  /** blocker id → blocked id → when. */
  private readonly blocks = new Map<string, Map<string, Date>>();

  async createAccount(account: NewAccount, now: Date): Promise<CreateAccountOutcome> {
    const username = normalizeUsername(account.username);
    if (username === null) throw new RangeError("createAccount needs a username that passes checkUsername");
    if (this.idsByUsername.has(username)) return { status: "username-taken" };
    const stored: AccountCredentials = copyCredentials({
      id: randomUUID(),
      username,
      publicKeys: account.publicKeys,
      createdAt: now,
      kdf: account.kdf,
      salt: account.salt,
      verifier: account.verifier,
      sealedIdentity: account.sealedIdentity,
    });
    this.accounts.set(stored.id, stored);
    this.idsByUsername.set(username, stored.id);
    return { status: "created", account: publicView(stored) };
  }

  async findByUsername(username: string): Promise<AccountCredentials | null> {
    const normalized = normalizeUsername(username);
    const id = normalized === null ? undefined : this.idsByUsername.get(normalized);
    const account = id === undefined ? undefined : this.accounts.get(id);
    return account ? copyCredentials(account) : null;
  }

  async getAccount(id: string): Promise<Account | null> {
    const account = this.accounts.get(id);
    return account ? publicView(account) : null;
  }

  async usernamesOf(ids: string[]): Promise<Map<string, string>> {
    const names = new Map<string, string>();
    for (const id of ids) {
      const account = this.accounts.get(id);
      if (account) names.set(id, account.username);
    }
    return names;
  }

  async searchUsernames(prefix: string, limit: number): Promise<string[]> {
    if (!/^[a-z0-9_]{1,24}$/.test(prefix) || limit < 1) return [];
    return [...this.idsByUsername.keys()]
      .filter((username) => username.startsWith(prefix))
      .sort()
      .slice(0, limit);
  }

  async changeCredentials(id: string, credentials: NewCredentials, keepSessionId: string): Promise<number | null> {
    const account = this.accounts.get(id);
    if (!account) return null;
    this.accounts.set(id, copyCredentials({ ...account, ...credentials }));
    return this.revokeOtherSessions(id, keepSessionId);
  }

  async deleteAccount(id: string): Promise<boolean> {
    const account = this.accounts.get(id);
    if (!account) return false;
    this.accounts.delete(id);
    this.idsByUsername.delete(account.username);
    for (const [key, session] of this.sessions) if (session.accountId === id) this.sessions.delete(key);
    this.blocks.delete(id);
    for (const blocked of this.blocks.values()) blocked.delete(id);
    return true;
  }

  async createSession(session: NewSession): Promise<Session> {
    if (!this.accounts.has(session.accountId)) throw new RangeError("createSession for an account that does not exist");
    const key = tokenKey(session.tokenHash);
    if (this.sessions.has(key)) throw new RangeError("createSession with a token hash already in use");
    const stored: StoredSession = {
      id: randomUUID(),
      accountId: session.accountId,
      userAgent: session.userAgent,
      createdAt: copyDate(session.now),
      lastUsedAt: copyDate(session.now),
      expiresAt: copyDate(session.expiresAt),
      tokenKey: key,
    };
    this.sessions.set(key, stored);
    return sessionView(stored);
  }

  private liveSession(tokenHash: Uint8Array, now: Date): StoredSession | undefined {
    const session = this.sessions.get(tokenKey(tokenHash));
    return session && session.expiresAt > now ? session : undefined;
  }

  async findSession(tokenHash: Uint8Array, now: Date): Promise<Session | null> {
    const session = this.liveSession(tokenHash, now);
    return session ? sessionView(session) : null;
  }

  async touchSession(tokenHash: Uint8Array, now: Date, expiresAt: Date): Promise<boolean> {
    const session = this.liveSession(tokenHash, now);
    if (!session) return false;
    session.lastUsedAt = copyDate(now);
    session.expiresAt = copyDate(expiresAt);
    return true;
  }

  async listSessions(accountId: string, now: Date): Promise<Session[]> {
    return [...this.sessions.values()]
      .filter((session) => session.accountId === accountId && session.expiresAt > now)
      .sort((a, b) => b.lastUsedAt.getTime() - a.lastUsedAt.getTime() || byText(a.id, b.id))
      .map(sessionView);
  }

  async revokeSession(accountId: string, sessionId: string): Promise<boolean> {
    for (const [key, session] of this.sessions) {
      if (session.id === sessionId && session.accountId === accountId) return this.sessions.delete(key);
    }
    return false;
  }

  async revokeOtherSessions(accountId: string, keepSessionId: string): Promise<number> {
    let revoked = 0;
    for (const [key, session] of this.sessions) {
      if (session.accountId === accountId && session.id !== keepSessionId) {
        this.sessions.delete(key);
        revoked += 1;
      }
    }
    return revoked;
  }

  async deleteExpiredSessions(now: Date): Promise<number> {
    let deleted = 0;
    for (const [key, session] of this.sessions) {
      if (session.expiresAt <= now) {
        this.sessions.delete(key);
        deleted += 1;
      }
    }
    return deleted;
  }

  async block(blockerId: string, blockedId: string, now: Date): Promise<BlockOutcome> {
    if (blockerId === blockedId) return "self";
    if (!this.accounts.has(blockerId) || !this.accounts.has(blockedId)) return "no-such-account";
    const blocked = this.blocks.get(blockerId) ?? new Map<string, Date>();
    this.blocks.set(blockerId, blocked);
    if (blocked.has(blockedId)) return "already-blocked";
    blocked.set(blockedId, copyDate(now));
    return "blocked";
  }

  async unblock(blockerId: string, blockedId: string): Promise<boolean> {
    return this.blocks.get(blockerId)?.delete(blockedId) ?? false;
  }

  async isBlocked(blockerId: string, blockedId: string): Promise<boolean> {
    return this.blocks.get(blockerId)?.has(blockedId) ?? false;
  }

  async listBlocked(blockerId: string): Promise<BlockedAccount[]> {
    const blocked = this.blocks.get(blockerId) ?? new Map<string, Date>();
    return [...blocked]
      .flatMap(([accountId, blockedAt]) => {
        const account = this.accounts.get(accountId);
        return account ? [{ accountId, username: account.username, blockedAt: copyDate(blockedAt) }] : [];
      })
      .sort((a, b) => b.blockedAt.getTime() - a.blockedAt.getTime() || byText(a.username, b.username));
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}
}
