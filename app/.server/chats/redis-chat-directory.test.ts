import { randomBytes, randomUUID } from "node:crypto";
import { Cluster, Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import {
  directoryTarget,
  redisChatDirectory,
  TEST_DIRECTORY_SECRET,
  type RedisChatDirectoryOnItsOwn,
} from "../../../tests/support/chat-directories";
import { TEST_PRESENCE_GRACE_MS } from "../../../tests/support/stores";
import { waitFor } from "../../../tests/support/wait-for";
import { parseClusterNodes } from "../redis/connections";
import { accountChannel, accountKeys, ACCOUNTS_DUE_KEY } from "../redis/keys";
import { newRoomId } from "../room-token";
import { accountTagger, presenceFrom } from "./redis-chat-directory";
import type { AccountEvent, ChatTouch } from "./types";

const HOUR = 60 * 60_000;
const tagOf = accountTagger(TEST_DIRECTORY_SECRET);

const touchOf = (overrides: Partial<ChatTouch> = {}): ChatTouch => ({
  chatId: newRoomId(),
  partnerId: randomUUID(),
  activityAt: Date.now(),
  expiresAt: Date.now() + HOUR,
  unread: "keep",
  ...overrides,
});

/** The Redis directory beyond the contract: its keys, its channel, several instances, crashes. */
describe.each(["redis", "cluster"] as const)("RedisChatDirectory specifics (%s)", (kind) => {
  let directory: RedisChatDirectoryOnItsOwn;
  let other: RedisChatDirectoryOnItsOwn;
  let admin: Redis | Cluster;
  let primaries: Redis[];

  beforeAll(async () => {
    directory = redisChatDirectory(directoryTarget(kind));
    other = redisChatDirectory(directoryTarget(kind));
    if (kind === "cluster") {
      const cluster = new Cluster(parseClusterNodes(inject("redisClusterNodes")));
      await cluster.cluster("INFO");
      admin = cluster;
      primaries = cluster.nodes("master");
    } else {
      admin = new Redis(inject("redisUrl"));
      primaries = [admin];
    }
  });
  afterAll(async () => {
    await Promise.all([directory.close(), other.close(), admin.quit()]);
  });

  /** Every key matching the pattern, on whichever primary holds it. */
  async function keysMatching(pattern: string): Promise<string[]> {
    return (await Promise.all(primaries.map((node) => node.keys(pattern)))).flat().sort();
  }

  /** Everything published to the account on one instance, once its subscription is live. */
  async function listen(on: RedisChatDirectoryOnItsOwn, accountId: string) {
    const events: AccountEvent[] = [];
    const unsubscribe = await on.subscribe(accountId, (event) => {
      if (event.type !== "resync") events.push(event);
    });
    return { events, unsubscribe };
  }

  it("reads any live hash's presence as presenceFrom does, several accounts in one call", async () => {
    const now = Date.now();
    const [past, later] = [now - HOUR, now + HOUR];
    const hashes: Record<string, string>[] = [
      {},
      { on: "1", [`i:${randomUUID()}`]: String(later), ls: String(past) },
      // An instance died holding the account: its lease lapsed, and no grace period began.
      { on: "1", [`i:${randomUUID()}`]: String(past - HOUR), [`i:${randomUUID()}`]: String(past) },
      { on: "1", g: String(later), ls: String(past) },
      { on: "1", g: String(past), ls: String(past - 5) },
      { ls: String(past - 7), [`i:${randomUUID()}`]: String(past) },
    ];
    const accounts = hashes.map(() => randomUUID());
    await Promise.all(
      hashes.map(async (hash, index) => {
        const { live } = accountKeys(tagOf(accounts[index]!));
        if (Object.keys(hash).length > 0) await admin.hset(live, hash);
        await admin.pexpire(live, HOUR);
      }),
    );
    const read = await directory.presence(accounts);
    expect(accounts.map((account) => read.get(account))).toEqual(hashes.map((hash) => presenceFrom(hash, now)));
    expect(accounts.map((account) => read.get(account)?.here)).toEqual([false, true, false, true, false, false]);
  });

  it("names an account's keys and channel by its tag, never its id, all in one slot", async () => {
    const account = randomUUID();
    const tag = tagOf(account);
    expect(tag).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(tagOf(account)).toBe(tag);
    expect(accountTagger("another secret")(account)).not.toBe(tag);
    const touch = touchOf();
    await directory.touch(account, touch);
    const close = await directory.connect(account);
    const { chats, live } = accountKeys(tag);
    expect(await keysMatching(`acct:{${tag}}:*`)).toEqual([chats, live].sort());
    expect(await keysMatching(`*${account}*`)).toEqual([]);
    const slots = await Promise.all(
      [chats, live, accountChannel(tag)].map((name) => primaries[0]!.call("CLUSTER", "KEYSLOT", name).catch(() => 0)),
    );
    if (kind === "cluster") expect(new Set(slots).size).toBe(1);
    expect(accountChannel(tag)).toBe(`ephemera:acct:{${tag}}`);
    close();
  });

  it("keeps each entry as one short record, the hash expiring with its latest entry", async () => {
    const account = randomUUID();
    const { chats } = accountKeys(tagOf(account));
    const now = Date.now();
    const later = touchOf({ activityAt: now, expiresAt: now + 2 * HOUR, unread: "increment" });
    const sooner = touchOf({ activityAt: now + 1, expiresAt: now + HOUR });
    await directory.touch(account, sooner);
    expect(await admin.pexpiretime(chats)).toBe(now + HOUR);
    await directory.touch(account, later);
    expect(await admin.hget(chats, later.chatId)).toBe(`${now}|${now + 2 * HOUR}|1|${later.partnerId}`);
    expect(await admin.pexpiretime(chats)).toBe(now + 2 * HOUR);
    // A later touch of the sooner entry with an earlier expiry leaves the hash's expiry alone.
    await directory.touch(account, { ...sooner, activityAt: now + 2 });
    expect(await admin.pexpiretime(chats)).toBe(now + 2 * HOUR);
    // Removing the latest entry brings the hash's expiry back to the one left.
    await directory.remove(account, later.chatId);
    expect(await admin.pexpiretime(chats)).toBe(now + HOUR);
  });

  it("leaves no key of an account behind once its last chat has expired", async () => {
    const account = randomUUID();
    const tag = tagOf(account);
    const now = Date.now();
    await directory.touch(account, touchOf({ expiresAt: now + 200 }));
    await directory.touch(account, touchOf({ expiresAt: now + 400 }));
    expect(await keysMatching(`acct:{${tag}}:*`)).toEqual([accountKeys(tag).chats]);
    await waitFor(async () => (await keysMatching(`acct:{${tag}}:*`)).length === 0, { what: "the list to vanish" });
    expect(await directory.list(account, Date.now())).toEqual([]);
  });

  it("reads a list of 500 chats in one command", async () => {
    const account = randomUUID();
    await Promise.all(
      Array.from({ length: 500 }, (_, index) => directory.touch(account, touchOf({ activityAt: index }))),
    );
    await directory.list(account, Date.now()); // the script is loaded by now
    const sent = vi.spyOn(directory.connections.commands, "sendCommand");
    try {
      expect(await directory.list(account, Date.now())).toHaveLength(500);
      // Only this account's: the heartbeat may send its own meanwhile.
      const chats = accountKeys(tagOf(account)).chats;
      const forAccount = sent.mock.calls.filter(([command]) => command.args.some((arg) => String(arg) === chats));
      expect(forAccount).toHaveLength(1);
    } finally {
      sent.mockRestore();
    }
  });

  it("gives every presence key an expiry", async () => {
    const account = randomUUID();
    const close = await directory.connect(account);
    const { live } = accountKeys(tagOf(account));
    expect(await admin.pttl(live)).toBeGreaterThan(0);
    // The account is due a check when its lease would lapse, in a set that expires too.
    await waitFor(async () => (await admin.zscore(ACCOUNTS_DUE_KEY, tagOf(account))) !== null, {
      what: "the due check",
    });
    expect(await admin.pttl(ACCOUNTS_DUE_KEY)).toBeGreaterThan(0);
    close();
    await waitFor(async () => (await directory.presence([account])).get(account)?.here === false, { what: "gone" });
    expect(await admin.pttl(live)).toBeGreaterThan(0);
    // Settled for good, it leaves the due set.
    await waitFor(async () => (await admin.zscore(ACCOUNTS_DUE_KEY, tagOf(account))) === null, {
      what: "the check done",
    });
  });

  it("behaves as one directory across two instances sharing one Redis", async () => {
    const [account, partner] = [randomUUID(), randomUUID()];
    const onOther = await listen(other, account);
    const entry = await directory.touch(account, touchOf({ partnerId: partner }));
    await waitFor(() => onOther.events.length === 1, { what: "the entry, on the other instance" });
    expect(onOther.events).toEqual([{ type: "entry", entry }]);
    expect(await other.list(account, Date.now())).toEqual([entry]);

    const partnerHears = await listen(other, partner);
    const closeHere = await directory.connect(account);
    const closeThere = await other.connect(account);
    await waitFor(() => partnerHears.events.length === 1, { what: "here, told on the other instance" });
    closeHere();
    // The other instance still holds a stream: past this one's grace period the account is here.
    const graceOver = Date.now() + TEST_PRESENCE_GRACE_MS + 200;
    await waitFor(() => Date.now() > graceOver, { what: "the grace period to pass", timeoutMs: 2000 });
    expect((await directory.presence([account])).get(account)).toMatchObject({ here: true });
    closeThere();
    await waitFor(() => partnerHears.events.length === 2, { what: "gone" });
    expect(partnerHears.events[1]).toMatchObject({ type: "presence", accountId: account, presence: { here: false } });
    onOther.unsubscribe();
    partnerHears.unsubscribe();
  });

  it("stops counting an account as here once the lease of an instance that died lapses, and tells its partners", async () => {
    const [account, partner] = [randomUUID(), randomUUID()];
    const doomed = redisChatDirectory(directoryTarget(kind));
    try {
      await directory.touch(account, touchOf({ partnerId: partner }));
      const partnerHears = await listen(other, partner);
      await doomed.connect(account);
      await waitFor(() => partnerHears.events.length === 1, { what: "here" });
      // The instance dies with the stream open: it never releases, nor renews its lease again.
      await doomed.connections.close();
      const diedAt = Date.now();
      expect((await other.presence([account])).get(account)).toMatchObject({ here: true });
      await waitFor(() => partnerHears.events.length === 2, { what: "gone, told by a survivor" });
      const gone = partnerHears.events[1];
      expect(gone).toMatchObject({ type: "presence", accountId: account, presence: { here: false } });
      expect(Date.now() - diedAt).toBeLessThan(doomed.leaseMs + 4 * doomed.heartbeatMs + 500);
      expect((await other.presence([account])).get(account)).toEqual({
        here: false,
        lastSeen: gone?.type === "presence" ? gone.presence.lastSeen : -1,
      });
      partnerHears.unsubscribe();
    } finally {
      await doomed.close();
    }
  });

  it("releases its streams on close, with the grace period, settled by another instance", async () => {
    const [account, partner] = [randomUUID(), randomUUID()];
    const closing = redisChatDirectory(directoryTarget(kind));
    await directory.touch(account, touchOf({ partnerId: partner }));
    const partnerHears = await listen(other, partner);
    await closing.connect(account);
    await waitFor(() => partnerHears.events.length === 1, { what: "here" });
    const closedAt = Date.now();
    await closing.close();
    expect((await other.presence([account])).get(account)).toMatchObject({ here: true });
    await waitFor(() => partnerHears.events.length === 2, { what: "gone" });
    expect(Date.now() - closedAt).toBeGreaterThanOrEqual(TEST_PRESENCE_GRACE_MS - 50);
    const gone = partnerHears.events[1];
    expect(gone).toMatchObject({ type: "presence", accountId: account, presence: { here: false } });
    const lastSeen = gone?.type === "presence" ? (gone.presence.lastSeen ?? 0) : 0;
    expect(Math.abs(lastSeen - closedAt)).toBeLessThan(200);
    partnerHears.unsubscribe();
  });

  it("tells listeners to re-read when the subscriber connection drops, and delivers again", async () => {
    const name = `resubscribe-${randomBytes(6).toString("hex")}`;
    const dropping = redisChatDirectory(directoryTarget(kind), { connectionName: name });
    try {
      const account = randomUUID();
      const events: AccountEvent[] = [];
      const unsubscribe = await dropping.subscribe(account, (event) => events.push(event));
      const resyncs = () => events.filter((event) => event.type === "resync").length;
      // A Cluster's subscribers may report ready (and so ask for a re-read) once more after startup.
      const marker = await directory.touch(account, touchOf());
      await waitFor(() => events.some((event) => event.type === "entry"), { what: "the first entry" });
      const resyncsBefore = resyncs();
      const clientName = kind === "cluster" ? `ioredis-cluster(ssubscriber):${name}` : name;
      let dropped = 0;
      for (const node of primaries) {
        const clients = String(await node.call("CLIENT", "LIST", "TYPE", "pubsub")).split("\n");
        for (const client of clients.filter((line) => line.includes(`name=${clientName} `))) {
          dropped += Number(await node.call("CLIENT", "KILL", "ID", /\bid=(\d+)/.exec(client)![1]!));
        }
      }
      expect(dropped).toBeGreaterThan(0);
      await waitFor(() => resyncs() > resyncsBefore, { what: "the re-read", timeoutMs: 10_000 });
      const after = await directory.touch(account, { ...touchOf(), chatId: marker.chatId, unread: "increment" });
      await waitFor(() => events.some((event) => event.type === "entry" && event.entry.unread === after.unread), {
        what: "the entry touched after the re-read",
      });
      unsubscribe();
    } finally {
      await dropping.close();
    }
  });
});
