import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../../tests/support/postgres-server";
import { fakeAccount } from "../../../tests/support/account-stores";
import { createAccountStore } from "./create-account-store";

describe("createAccountStore", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(inject("postgresAdminUrl"));
  });
  afterAll(() => database.drop());

  it("keeps accounts in memory without DATABASE_URL", async () => {
    const store = await createAccountStore({ DATABASE_URL: undefined });
    expect(store.kind).toBe("memory");
    await store.close();
  });

  it("keeps accounts in a migrated PostgreSQL with DATABASE_URL", async () => {
    const store = await createAccountStore({ DATABASE_URL: database.url });
    try {
      expect(store.kind).toBe("postgres");
      expect(await store.createAccount(fakeAccount("factory_made"), new Date())).toMatchObject({ status: "created" });
      const direct = new pg.Client({ connectionString: database.url });
      await direct.connect();
      const { rows } = await direct.query("SELECT username FROM accounts");
      await direct.end();
      expect(rows).toEqual([{ username: "factory_made" }]);
    } finally {
      await store.close();
    }
  });

  it("fails at startup, with the pool closed, when the database cannot be reached", async () => {
    const nowhere = new URL(database.url);
    nowhere.pathname = "/no_such_database";
    await expect(createAccountStore({ DATABASE_URL: nowhere.toString() })).rejects.toThrow(/does not exist/);
  });
});
