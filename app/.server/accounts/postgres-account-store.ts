import { randomUUID } from "node:crypto";
import { and, asc, desc, eq, gt, inArray, lte, ne, sql } from "drizzle-orm";
import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import type { Pool } from "pg";
import { normalizeUsername } from "~/shared/username";
import { accounts, blocks, sessions } from "../db/schema";
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
  Session,
} from "./types";

type AccountRow = typeof accounts.$inferSelect;
type SessionRow = typeof sessions.$inferSelect;

const toAccount = (row: AccountRow): Account => ({
  id: row.id,
  username: row.username,
  publicKeys: row.publicKeys.map(({ algorithm, publicKey }) => ({ algorithm, publicKey })),
  createdAt: row.createdAt,
});

const toCredentials = (row: AccountRow): AccountCredentials => ({
  ...toAccount(row),
  // Checked on the way in by the router; the column is text so a future algorithm needs no migration.
  kdf: { algorithm: row.kdfAlgorithm as AccountCredentials["kdf"]["algorithm"], iterations: row.kdfIterations },
  salt: row.salt,
  verifier: row.verifier,
  sealedIdentity: row.sealedIdentity,
});

const toSession = ({ tokenHash: _, ...row }: SessionRow): Session => row;

const credentialColumns = (credentials: NewCredentials) => ({
  kdfAlgorithm: credentials.kdf.algorithm,
  kdfIterations: credentials.kdf.iterations,
  salt: credentials.salt,
  verifier: credentials.verifier,
  sealedIdentity: credentials.sealedIdentity,
});

/** uuid columns refuse anything else with an error; an id that is not a uuid simply matches nothing. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isUuid = (id: string) => UUID.test(id);
/** What a stored name can start with: lowercase letters, digits, underscores. */
const USERNAME_PREFIX = /^[a-z0-9_]{1,24}$/;

/**
 * Accounts in PostgreSQL (Drizzle over a pg Pool), for deployments where they must outlive the
 * process. The schema must already be migrated (db/migrate.ts); the factory does that first.
 */
export class PostgresAccountStore implements AccountStore {
  readonly kind = "postgres";
  private readonly db: NodePgDatabase;

  constructor(private readonly pool: Pool) {
    this.db = drizzle({ client: pool });
  }

  async createAccount(account: NewAccount, now: Date): Promise<CreateAccountOutcome> {
    const username = normalizeUsername(account.username);
    if (username === null) throw new RangeError("createAccount needs a username that passes checkUsername");
    // ON CONFLICT: a taken name is an answer, not an error, even when two sign-ups race for it.
    const [row] = await this.db
      .insert(accounts)
      .values({
        id: randomUUID(),
        username,
        ...credentialColumns(account),
        publicKeys: account.publicKeys.map(({ algorithm, publicKey }) => ({ algorithm, publicKey })),
        createdAt: now,
      })
      .onConflictDoNothing({ target: accounts.username })
      .returning();
    return row ? { status: "created", account: toAccount(row) } : { status: "username-taken" };
  }

  async findByUsername(username: string): Promise<AccountCredentials | null> {
    const normalized = normalizeUsername(username);
    if (normalized === null) return null;
    const [row] = await this.db.select().from(accounts).where(eq(accounts.username, normalized));
    return row ? toCredentials(row) : null;
  }

  async getAccount(id: string): Promise<Account | null> {
    if (!isUuid(id)) return null;
    const [row] = await this.db.select().from(accounts).where(eq(accounts.id, id));
    return row ? toAccount(row) : null;
  }

  async usernamesOf(ids: string[]): Promise<Map<string, string>> {
    const valid = ids.filter(isUuid);
    if (valid.length === 0) return new Map();
    const rows = await this.db
      .select({ id: accounts.id, username: accounts.username })
      .from(accounts)
      .where(inArray(accounts.id, valid));
    return new Map(rows.map((row) => [row.id, row.username]));
  }

  async searchUsernames(prefix: string, limit: number): Promise<string[]> {
    if (!USERNAME_PREFIX.test(prefix) || limit < 1) return [];
    // The prefix holds only a-z, 0-9 and _, so a range on the unique index finds it: '{' sorts
    // right after 'z' in the C collation the comparison is made in.
    const rows = await this.db
      .select({ username: accounts.username })
      .from(accounts)
      .where(
        and(
          sql`${accounts.username} COLLATE "C" >= ${prefix}`,
          sql`${accounts.username} COLLATE "C" < ${prefix + "{"}`,
        ),
      )
      .orderBy(sql`${accounts.username} COLLATE "C"`)
      .limit(limit);
    return rows.map((row) => row.username);
  }

  async changeCredentials(id: string, credentials: NewCredentials, keepSessionId: string): Promise<number | null> {
    if (!isUuid(id)) return null;
    return this.db.transaction(async (tx) => {
      const rows = await tx
        .update(accounts)
        .set(credentialColumns(credentials))
        .where(eq(accounts.id, id))
        .returning({ id: accounts.id });
      if (rows.length === 0) return null;
      const others = isUuid(keepSessionId)
        ? and(eq(sessions.accountId, id), ne(sessions.id, keepSessionId))
        : eq(sessions.accountId, id);
      const ended = await tx.delete(sessions).where(others).returning({ id: sessions.id });
      return ended.length;
    });
  }

  async deleteAccount(id: string): Promise<boolean> {
    if (!isUuid(id)) return false;
    // One statement: the foreign keys' ON DELETE CASCADE takes the sessions and blocks with it.
    const rows = await this.db.delete(accounts).where(eq(accounts.id, id)).returning({ id: accounts.id });
    return rows.length > 0;
  }

  async createSession(session: NewSession): Promise<Session> {
    const [row] = await this.db
      .insert(sessions)
      .values({
        id: randomUUID(),
        accountId: session.accountId,
        tokenHash: session.tokenHash,
        userAgent: session.userAgent,
        createdAt: session.now,
        lastUsedAt: session.now,
        expiresAt: session.expiresAt,
      })
      .returning();
    if (!row) throw new Error("inserting a session returned no row");
    return toSession(row);
  }

  async findSession(tokenHash: Uint8Array, now: Date): Promise<Session | null> {
    const [row] = await this.db
      .select()
      .from(sessions)
      .where(and(eq(sessions.tokenHash, tokenHash), gt(sessions.expiresAt, now)));
    return row ? toSession(row) : null;
  }

  async touchSession(tokenHash: Uint8Array, now: Date, expiresAt: Date): Promise<boolean> {
    const rows = await this.db
      .update(sessions)
      .set({ lastUsedAt: now, expiresAt })
      .where(and(eq(sessions.tokenHash, tokenHash), gt(sessions.expiresAt, now)))
      .returning({ id: sessions.id });
    return rows.length > 0;
  }

  async listSessions(accountId: string, now: Date): Promise<Session[]> {
    if (!isUuid(accountId)) return [];
    const rows = await this.db
      .select()
      .from(sessions)
      .where(and(eq(sessions.accountId, accountId), gt(sessions.expiresAt, now)))
      .orderBy(desc(sessions.lastUsedAt), asc(sessions.id));
    return rows.map(toSession);
  }

  async revokeSession(accountId: string, sessionId: string): Promise<boolean> {
    if (!isUuid(accountId) || !isUuid(sessionId)) return false;
    const rows = await this.db
      .delete(sessions)
      .where(and(eq(sessions.id, sessionId), eq(sessions.accountId, accountId)))
      .returning({ id: sessions.id });
    return rows.length > 0;
  }

  async revokeOtherSessions(accountId: string, keepSessionId: string): Promise<number> {
    if (!isUuid(accountId)) return 0;
    const others = isUuid(keepSessionId)
      ? and(eq(sessions.accountId, accountId), ne(sessions.id, keepSessionId))
      : eq(sessions.accountId, accountId);
    const rows = await this.db.delete(sessions).where(others).returning({ id: sessions.id });
    return rows.length;
  }

  async deleteExpiredSessions(now: Date): Promise<number> {
    const rows = await this.db.delete(sessions).where(lte(sessions.expiresAt, now)).returning({ id: sessions.id });
    return rows.length;
  }

  async block(blockerId: string, blockedId: string, now: Date): Promise<BlockOutcome> {
    if (blockerId === blockedId) return "self";
    if (!isUuid(blockerId) || !isUuid(blockedId)) return "no-such-account";
    // Inserted only when both accounts exist, so a missing one is an answer rather than a
    // foreign-key error; ON CONFLICT makes blocking twice harmless.
    const result = await this.db.execute<{ outcome: BlockOutcome }>(sql`
      WITH both_exist AS (
        SELECT count(*) = 2 AS ok FROM ${accounts} WHERE ${accounts.id} IN (${blockerId}::uuid, ${blockedId}::uuid)
      ), inserted AS (
        INSERT INTO ${blocks} (blocker_id, blocked_id, created_at)
        SELECT ${blockerId}::uuid, ${blockedId}::uuid, ${now.toISOString()}::timestamptz FROM both_exist WHERE ok
        ON CONFLICT DO NOTHING
        RETURNING 1
      )
      SELECT CASE
        WHEN NOT (SELECT ok FROM both_exist) THEN 'no-such-account'
        WHEN EXISTS (SELECT 1 FROM inserted) THEN 'blocked'
        ELSE 'already-blocked'
      END AS outcome
    `);
    const outcome = result.rows[0]?.outcome;
    if (!outcome) throw new Error("block returned no outcome");
    return outcome;
  }

  async unblock(blockerId: string, blockedId: string): Promise<boolean> {
    if (!isUuid(blockerId) || !isUuid(blockedId)) return false;
    const rows = await this.db
      .delete(blocks)
      .where(and(eq(blocks.blockerId, blockerId), eq(blocks.blockedId, blockedId)))
      .returning({ id: blocks.blockerId });
    return rows.length > 0;
  }

  async isBlocked(blockerId: string, blockedId: string): Promise<boolean> {
    if (!isUuid(blockerId) || !isUuid(blockedId)) return false;
    const rows = await this.db
      .select({ one: sql<number>`1` })
      .from(blocks)
      .where(and(eq(blocks.blockerId, blockerId), eq(blocks.blockedId, blockedId)));
    return rows.length > 0;
  }

  async listBlocked(blockerId: string): Promise<BlockedAccount[]> {
    if (!isUuid(blockerId)) return [];
    return this.db
      .select({ accountId: blocks.blockedId, username: accounts.username, blockedAt: blocks.createdAt })
      .from(blocks)
      .innerJoin(accounts, eq(accounts.id, blocks.blockedId))
      .where(eq(blocks.blockerId, blockerId))
      .orderBy(desc(blocks.createdAt), sql`${accounts.username} COLLATE "C"`);
  }

  async ping(): Promise<void> {
    await this.pool.query("SELECT 1");
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
