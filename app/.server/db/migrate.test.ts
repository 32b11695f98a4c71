import { readFileSync } from "node:fs";
import { join } from "node:path";
import type pg from "pg";
import { afterEach, describe, expect, inject, it } from "vitest";
import { createTestDatabase, testPool, type TestDatabase } from "../../../tests/support/postgres-server";
import { waitFor } from "../../../tests/support/wait-for";
import { defaultMigrationsFolder, migrate, MIGRATION_LOCK_KEY } from "./migrate";

const journal = JSON.parse(readFileSync(join(defaultMigrationsFolder(), "meta", "_journal.json"), "utf8")) as {
  entries: unknown[];
};

let database: TestDatabase | undefined;
const pools: pg.Pool[] = [];

async function freshDatabase(): Promise<string> {
  database = await createTestDatabase(inject("postgresAdminUrl"));
  return database.url;
}

function instance(url: string): pg.Pool {
  const pool = testPool(url, 2);
  pools.push(pool);
  return pool;
}

async function appliedMigrations(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ count: number }>(
    "SELECT count(*)::int AS count FROM drizzle.__drizzle_migrations",
  );
  return rows[0]!.count;
}

async function tables(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ name: string }>(
    "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
  );
  return rows.map((row) => row.name);
}

afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.end()));
  await database?.drop();
  database = undefined;
});

describe("migrate", () => {
  it("creates the accounts, sessions and blocks tables, and nothing about rooms or messages", async () => {
    const pool = instance(await freshDatabase());
    await migrate(pool);
    expect(await tables(pool)).toEqual(["accounts", "blocks", "sessions"]);
    expect(await appliedMigrations(pool)).toBe(journal.entries.length);
  });

  it("applies each migration exactly once when several instances start at the same moment", async () => {
    const url = await freshDatabase();
    const instances = Array.from({ length: 4 }, () => instance(url));
    // Without the lock these race on CREATE SCHEMA / CREATE TABLE, and all but one fail.
    await expect(Promise.all(instances.map((pool) => migrate(pool)))).resolves.toHaveLength(4);
    expect(await appliedMigrations(instances[0]!)).toBe(journal.entries.length);
    expect(await tables(instances[0]!)).toEqual(["accounts", "blocks", "sessions"]);
  });

  it("waits while another instance holds the migration lock, then finds nothing left to do", async () => {
    const url = await freshDatabase();
    const first = instance(url);
    await migrate(first);
    const holder = await first.connect();
    try {
      await holder.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY.toString()]);
      const second = instance(url);
      let finished = false;
      const migrating = migrate(second).then(() => (finished = true));
      // The second instance is seen queued on the lock, and has not got past it.
      await waitFor(
        async () => {
          const { rows } = await first.query<{ waiting: number }>(
            "SELECT count(*)::int AS waiting FROM pg_locks WHERE locktype = 'advisory' AND NOT granted",
          );
          return rows[0]!.waiting === 1;
        },
        { what: "the second instance to wait for the migration lock" },
      );
      expect(finished).toBe(false);
      await holder.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY.toString()]);
      await migrating;
      expect(await appliedMigrations(second)).toBe(journal.entries.length);
    } finally {
      holder.release();
    }
  });

  it("releases the lock when done, so the connection goes back to the pool clean", async () => {
    const pool = instance(await freshDatabase());
    await migrate(pool);
    const { rows } = await pool.query<{ held: number }>(
      "SELECT count(*)::int AS held FROM pg_locks WHERE locktype = 'advisory'",
    );
    expect(rows[0]!.held).toBe(0);
  });
});
