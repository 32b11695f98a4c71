import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Redis } from "ioredis";
import { accountTagger } from "~/.server/chats/redis-chat-directory";
import { accountKeys } from "~/.server/redis/keys";
import type { Services } from "~/.server/services";
import { fakeSignUp, TestBrowser } from "../support/account-browser";
import { makeAccountStore, uniqueUsername, type AccountStoreFixture } from "../support/account-stores";
import { makeServices, TEST_SECRET } from "../support/app";
import { opaque } from "../support/opaque";
import { makeStorage } from "../support/stores";
import { waitFor } from "../support/wait-for";

/**
 * Issue 22's promise: PostgreSQL keeps accounts, keys, sessions and blocks, nothing about who talks
 * to whom; a chat's messages, its two list entries and its receipts live in Redis only, and go
 * with the chat's last message.
 */
describe("a direct chat leaves no lasting record of who talked to whom", () => {
  let accounts: AccountStoreFixture;
  let services: Services;
  let commands: Redis;

  beforeAll(async () => {
    accounts = await makeAccountStore("postgres");
    const storage = makeStorage("redis");
    if (storage.kind !== "redis") throw new Error("a Redis storage was asked for");
    commands = storage.connections.commands as Redis;
    services = makeServices("redis", { CHAT_SHORTEST_TIMER_SECONDS: "5" }, storage, accounts.store);
    // A server whose chats last 5 s, so the test can watch one vanish whole.
    services.directChats.defaultTimerSeconds = 5;
  });
  afterAll(async () => {
    await services?.close();
    await accounts?.close();
  });

  async function person() {
    const browser = new TestBrowser(services);
    const { username } = await browser.call((trpc) => trpc.account.signUp(fakeSignUp(uniqueUsername("priv"))));
    const id = (await accounts.store.findByUsername(username))!.id;
    return { browser, username, id };
  }

  /** Every row of every table of the accounts database, as text. */
  async function databaseText(): Promise<string[]> {
    const pool = accounts.pool!;
    const { rows: tables } = await pool.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
    );
    const rows: string[] = [];
    for (const { table_name: table } of tables) {
      const { rows: found } = await pool.query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM "${table}" t`);
      rows.push(...found.map((found) => found.row));
    }
    return rows;
  }

  it("keeps the pair out of PostgreSQL, and nothing of the chat in Redis once its last message is gone", async () => {
    const [alice, bob] = [await person(), await person()];
    const opened = await alice.browser.call((trpc) => trpc.chat.open({ username: bob.username }));
    const { chatId } = opened;
    await bob.browser.call((trpc) => trpc.chat.open({ username: alice.username }));
    const sent = await alice.browser.call((trpc) =>
      trpc.message.send({ roomId: chatId, ciphertext: opaque("hello"), clientId: "privacy-1" }),
    );
    await bob.browser.call((trpc) => trpc.message.receipt({ roomId: chatId, delivered: sent.id, seen: sent.id }));
    const tag = accountTagger(TEST_SECRET);
    const chatKeys = async () => commands.keys(`*${chatId}*`);
    const listKeys = async () =>
      (await commands.exists(accountKeys(tag(alice.id)).chats)) +
      (await commands.exists(accountKeys(tag(bob.id)).chats));
    await waitFor(async () => (await listKeys()) === 2, { what: "both lists to hold the chat" });
    expect((await chatKeys()).length).toBeGreaterThan(0);

    // PostgreSQL: the chat's id appears nowhere, and no row names both people.
    const rows = await databaseText();
    expect(rows.some((row) => row.includes(alice.id))).toBe(true);
    expect(rows.filter((row) => row.includes(chatId))).toEqual([]);
    expect(rows.filter((row) => row.includes(alice.id) && row.includes(bob.id))).toEqual([]);
    // Redis names no account: keys are under keyed tags.
    const everyKey = await commands.keys("*");
    expect(everyKey.filter((key) => key.includes(alice.id) || key.includes(bob.id))).toEqual([]);

    // Once the last message (and the chat's unused time) has passed, nothing names the chat.
    await waitFor(async () => (await chatKeys()).length === 0 && (await listKeys()) === 0, {
      timeoutMs: 15_000,
      intervalMs: 250,
      what: "every key of the chat and both list entries to expire",
    });
    expect(await alice.browser.call((trpc) => trpc.chat.list())).toEqual({ chats: [] });
  }, 30_000);
});
