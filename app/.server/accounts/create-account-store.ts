import pg from "pg";
import type { Env } from "../env";
import { logger } from "../logger";
import { migrate } from "../db/migrate";
import { MemoryAccountStore } from "./memory-account-store";
import { PostgresAccountStore } from "./postgres-account-store";
import type { AccountStore } from "./types";

/**
 * PostgreSQL when DATABASE_URL is set, migrated before first use (safe with several instances
 * starting at once); memory otherwise, for the zero-setup `npm start`.
 */
export async function createAccountStore(config: Pick<Env, "DATABASE_URL">): Promise<AccountStore> {
  if (!config.DATABASE_URL) {
    logger.info(
      { accounts: "memory" },
      "Accounts are kept in memory: they end when the process does. Set DATABASE_URL to keep them in PostgreSQL.",
    );
    return new MemoryAccountStore();
  }
  const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: 10, connectionTimeoutMillis: 5000 });
  // An idle connection the server drops (restart, failover) is reported here; unhandled, it
  // would end the process. The pool replaces the connection on next use.
  pool.on("error", (error) => logger.warn({ err: { message: error.message } }, "PostgreSQL connection error"));
  try {
    await migrate(pool);
  } catch (error) {
    await pool.end().catch(() => {});
    throw error;
  }
  // The URL holds the database password: it is never logged.
  logger.info({ accounts: "postgres" }, "Accounts are kept in PostgreSQL; migrations are up to date");
  return new PostgresAccountStore(pool);
}
