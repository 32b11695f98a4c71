import { randomBytes } from "node:crypto";
import type pg from "pg";
import { inject } from "vitest";
import { MemoryAccountStore } from "~/.server/accounts/memory-account-store";
import { PostgresAccountStore } from "~/.server/accounts/postgres-account-store";
import type { AccountStore, NewAccount, NewCredentials } from "~/.server/accounts/types";
import { migrate } from "~/.server/db/migrate";
import { createTestDatabase, testPool, type TestDatabase } from "./postgres-server";

export const ACCOUNT_STORE_KINDS = ["memory", "postgres"] as const;
export type AccountStoreKind = (typeof ACCOUNT_STORE_KINDS)[number];

export interface AccountStoreFixture {
  store: AccountStore;
  /** PostgreSQL only: a pool on the store's database, for looking at its tables directly. */
  pool?: pg.Pool;
  /** Closes the store and drops its database. */
  close(): Promise<void>;
}

/** A store of either kind; a PostgreSQL one gets a fresh, migrated database of its own. */
export async function makeAccountStore(kind: AccountStoreKind): Promise<AccountStoreFixture> {
  if (kind === "memory") {
    const store = new MemoryAccountStore();
    return { store, close: () => store.close() };
  }
  const database: TestDatabase = await createTestDatabase(inject("postgresAdminUrl"));
  const pool = testPool(database.url, 4);
  await migrate(pool);
  const store = new PostgresAccountStore(testPool(database.url, 4));
  return {
    store,
    pool,
    async close() {
      // Services that were handed the store may have closed it already.
      await store.close().catch(() => {});
      await pool.end();
      await database.drop();
    },
  };
}

const bytes = (length: number) => new Uint8Array(randomBytes(length));

/** Credentials as a browser would send them, with stand-in bytes: the store never looks inside. */
export function fakeCredentials(): NewCredentials {
  return {
    kdf: { algorithm: "PBKDF2-SHA-256", iterations: 600_000 },
    salt: bytes(16),
    verifier: `$argon2id$v=19$m=19456,t=2,p=1$${randomBytes(16).toString("base64url")}$hash`,
    sealedIdentity: bytes(400),
  };
}

export function fakeAccount(username: string): NewAccount {
  return {
    username,
    ...fakeCredentials(),
    publicKeys: [
      { algorithm: "ECDH-P-256", publicKey: randomBytes(65).toString("base64url") },
      { algorithm: "ECDSA-P-256", publicKey: randomBytes(65).toString("base64url") },
    ],
  };
}

let counter = 0;
/** A valid username no other test in this process uses. */
export function uniqueUsername(prefix = "user"): string {
  counter += 1;
  return `${prefix}_${process.pid % 10_000}_${counter}`;
}
