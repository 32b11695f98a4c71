import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate as applyMigrations } from "drizzle-orm/node-postgres/migrator";
import type { Pool } from "pg";

/**
 * One key for every instance of this app: whoever holds the lock migrates, the rest wait for it
 * and then find nothing left to do. (An arbitrary constant; "ephemera" in ASCII.)
 */
export const MIGRATION_LOCK_KEY = 0x657068656d657261n;

const JOURNAL = join("meta", "_journal.json");

/**
 * The checked-in SQL: beside this file in development and tests; in a build, which bundles this
 * module into another file, the copy scripts/build.mjs puts in the build's `migrations` folder,
 * found by looking upwards from the bundle.
 */
export function defaultMigrationsFolder(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const beside = join(here, "migrations");
  if (existsSync(join(beside, JOURNAL))) return beside;
  for (let dir = here; ; dir = dirname(dir)) {
    const candidate = join(dir, "migrations");
    if (existsSync(join(candidate, JOURNAL))) return candidate;
    if (dirname(dir) === dir) break;
  }
  throw new Error(`No database migrations found beside or above ${here}`);
}

/**
 * Applies every migration not yet applied, under a PostgreSQL advisory lock held on one
 * connection: several instances starting at once migrate exactly once, instead of racing to
 * create the same tables (Drizzle's own bookkeeping is not safe against concurrent runs).
 */
export async function migrate(pool: Pool, migrationsFolder = defaultMigrationsFolder()): Promise<void> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY.toString()]);
    try {
      await applyMigrations(drizzle({ client }), { migrationsFolder });
    } finally {
      // The lock is the session's: a failed unlock means a broken connection, which must not go
      // back to the pool still holding it.
      await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY.toString()]).catch((error: Error) => {
        broken = error;
      });
    }
  } finally {
    client.release(broken);
  }
}
