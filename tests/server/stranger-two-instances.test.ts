import { Cluster, Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { matchKeys, roomKeys } from "~/.server/redis/keys";
import type { MatchEvent, StrangerState } from "~/shared/match-events";
import { startAppServer, type AppServer } from "../support/app-server";
import { TEST_SECRET } from "../support/app";
import { startRedisCluster } from "../support/redis-cluster";
import { startRedisServer } from "../support/redis-server";
import { Visitor } from "../support/visitor";
import { waitFor } from "../support/wait-for";

/** The instances' grace period here: a closed page stops counting as online this long after. */
const GRACE_MS = 3000;

/** A Redis of the test's own, the env that points an instance at it, and a client to look inside. */
async function ownRedis(
  setup: "one Redis" | "a Redis Cluster",
): Promise<{ env: Record<string, string>; admin: Redis | Cluster; stop: () => Promise<void> }> {
  if (setup === "one Redis") {
    const redis = await startRedisServer();
    return { env: { REDIS_URL: redis.url }, admin: new Redis(redis.url), stop: () => redis.stop() };
  }
  const cluster = await startRedisCluster();
  const admin = new Cluster(
    cluster.nodes.map((node) => ({ host: node.split(":")[0]!, port: Number(node.split(":")[1]) })),
  );
  return { env: { REDIS_CLUSTER_NODES: cluster.nodes.join(",") }, admin, stop: () => cluster.stop() };
}

/**
 * The stranger queue lives in Redis, so visitors arriving at two production processes at once
 * are paired with each other fairly: everyone in exactly one pair, nobody with themselves. On a
 * Redis Cluster the queue's steps and the rooms' run on different primaries (decision 030). The
 * queue gets a Redis (or Cluster) of its own here, so no other test's visitors can be in it.
 */
describe.each(["one Redis", "a Redis Cluster"] as const)("talk to a stranger across two instances on %s", (setup) => {
  let redis: Awaited<ReturnType<typeof ownRedis>>;
  let admin: Redis | Cluster;
  let first: AppServer;
  let second: AppServer;

  beforeAll(async () => {
    redis = await ownRedis(setup);
    admin = redis.admin;
    const env = { ...redis.env, SESSION_SECRET: TEST_SECRET, PRESENCE_GRACE_MS: String(GRACE_MS) };
    [first, second] = await Promise.all([startAppServer(env), startAppServer(env)]);
    // A Cluster of three processes and two production servers, on a busy 2-core machine.
  }, 60_000);
  afterAll(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
    await admin?.quit();
    await redis?.stop();
  });

  /** Every visitor record in the queue (on a Cluster, all in the queue's one slot). */
  async function visitorRecords(): Promise<string[]> {
    const pattern = matchKeys(setup === "a Redis Cluster").visitor("*");
    const nodes = admin instanceof Cluster ? admin.nodes("master") : [admin];
    return (await Promise.all(nodes.map((node) => node.keys(pattern)))).flat();
  }

  /** A visitor with the /stranger page's cookie, on one instance. */
  async function strangerOn(instance: AppServer): Promise<Visitor> {
    const visitor = new Visitor(instance.url);
    expect((await visitor.open("/stranger")).status).toBe(200);
    return visitor;
  }

  /** Two visitors, on the two instances, paired in one chat. */
  async function paired() {
    const [alice, bob] = [await strangerOn(first), await strangerOn(second)];
    expect(await alice.trpc.match.find.mutate({})).toMatchObject({ status: "waiting" });
    const chat = await bob.trpc.match.find.mutate({});
    if (chat.status !== "matched") throw new Error(`expected a match, got ${chat.status}`);
    return { alice, bob, roomId: chat.roomId };
  }

  /** The room page: takes the seat (cookie) and opens its event stream, as long as it stays open. */
  async function openRoomPage(visitor: Visitor, roomId: string) {
    expect((await visitor.open(`/room/${roomId}`)).status).toBe(200);
    const subscription = visitor.trpc.room.events.subscribe({ lastEventId: null, roomId }, { onError: () => {} });
    return () => subscription.unsubscribe();
  }

  /** The stranger page's live stream: every state it is told. */
  function searchPage(visitor: Visitor) {
    const states: StrangerState[] = [];
    const subscription = visitor.trpc.match.events.subscribe(
      {},
      { onData: ({ data }: { data: MatchEvent }) => void (data.type === "state" && states.push(data.state)) },
    );
    return { states, close: () => subscription.unsubscribe() };
  }

  const online = async (visitor: Visitor) => (await visitor.trpc.match.stats.query()).online;

  it("pairs 200 simultaneous visitors into 100 distinct pairs, each seated in their own room", async () => {
    const visitors = await Promise.all(
      Array.from({ length: 200 }, async (_, index) => {
        const visitor = new Visitor((index % 2 === 0 ? first : second).url);
        expect((await visitor.open("/stranger")).status).toBe(200);
        return visitor;
      }),
    );
    const answers = await Promise.all(visitors.map((visitor) => visitor.trpc.match.find.mutate({})));
    // Whoever was still waiting when their partner arrived learns of it on asking again.
    const states: StrangerState[] = await Promise.all(
      answers.map((answer, index) =>
        answer.status === "matched" ? answer : visitors[index]!.trpc.match.find.mutate({}),
      ),
    );
    const rooms = new Map<string, number[]>();
    for (const [index, state] of states.entries()) {
      expect(state.status).toBe("matched");
      if (state.status === "matched") rooms.set(state.roomId, [...(rooms.get(state.roomId) ?? []), index]);
    }
    expect(rooms.size).toBe(100);
    for (const members of rooms.values()) expect(members).toHaveLength(2);
    if (admin instanceof Cluster) {
      // The rooms are spread over the primaries, most of them away from the queue's.
      const cluster = admin;
      const nodeOf = async (key: string) => cluster.slots[Number(await cluster.cluster("KEYSLOT", key))]![0];
      const queueNode = await nodeOf(matchKeys(true).queue);
      const roomNodes = await Promise.all([...rooms.keys()].map((roomId) => nodeOf(roomKeys(roomId).meta)));
      expect(new Set(roomNodes).size).toBe(3);
      expect(roomNodes.filter((node) => node !== queueNode).length).toBeGreaterThan(0);
    }

    // Each pair's room admits exactly those two, on either instance.
    const [roomId, [one, two] = []] = [...rooms][0]!;
    expect((await visitors[one!]!.on(second.url).open(`/room/${roomId}`)).status).toBe(200);
    expect((await visitors[two!]!.on(first.url).open(`/room/${roomId}`)).status).toBe(200);
    const outsider = await new Visitor(first.url).open(`/room/${roomId}`);
    expect(outsider.headers.get("location")).toBe("/?error=room-full");
    // Nobody has the chat open (two page loads, no stream): a hundred chats, nobody online.
    expect(await visitors[0]!.trpc.match.stats.query()).toEqual({ online: 0, waiting: 0 });
  });

  it("counts people whose chat is open, on either instance, and not a chat both closed", async () => {
    expect(await online(await strangerOn(first))).toBe(0);
    const abandoned = await paired();
    const { alice, bob, roomId } = await paired();
    expect(await online(alice)).toBe(0);

    const closeAlice = await openRoomPage(alice.on(second.url), roomId);
    const closeBob = await openRoomPage(bob.on(first.url), roomId);
    await waitFor(async () => (await online(abandoned.alice)) === 2, { what: "both open pages counted" });
    // Past several heartbeats and leases, the open pages still count.
    const past = Date.now() + GRACE_MS * 4;
    await waitFor(() => Date.now() > past, { what: "a few leases to pass", timeoutMs: GRACE_MS * 8 });
    expect(await online(bob)).toBe(2);

    closeAlice();
    await waitFor(async () => (await online(bob)) === 1, {
      what: "the closed page to stop counting",
      timeoutMs: GRACE_MS * 8,
    });
    closeBob();
    await waitFor(async () => (await online(bob)) === 0, { what: "nobody online", timeoutMs: GRACE_MS * 8 });
    // The chat itself is still on (its room lives to its deadline): people are counted, not rooms.
    expect(await alice.trpc.match.find.mutate({})).toEqual({ status: "matched", roomId });
  }, 60_000);

  it("tells two who just talked why they are not paired, and pairs them the moment their cooldown ends", async () => {
    const { alice, bob, roomId } = await paired();
    expect((await bob.open(`/room/${roomId}`)).status).toBe(200);
    await bob.trpc.match.end.mutate({ roomId });
    // As if the chat had ended nearly ten minutes ago: two seconds of cooldown left (Redis' clock).
    // Records are found by their field (the store knows visitors by hashes); earlier tests' ended chats change with them, harmlessly.
    const [seconds] = await admin.time();
    const until = Number(seconds) * 1000 + 2000;
    for (const key of await visitorRecords())
      if ((await admin.hget(key, "lastUntil")) !== null) await admin.hset(key, "lastUntil", until);

    const pages = [searchPage(alice.on(second.url)), searchPage(bob.on(first.url))];
    await waitFor(() => pages.every((page) => page.states.length > 0), { what: "both search pages open" });
    for (const visitor of [alice, bob]) await visitor.trpc.match.find.mutate({});
    for (const page of pages) {
      await waitFor(() => page.states.some((state) => state.status === "waiting" && state.lastPartnerUntil === until), {
        what: "each told the reason they are not paired",
      });
    }
    // Nobody calls anything: their search pages look again when the cooldown ends.
    for (const page of pages) {
      await waitFor(() => page.states.at(-1)?.status === "matched", {
        what: "the two paired after the cooldown",
        timeoutMs: 6000,
      });
    }
    expect(pages[0]!.states.at(-1)).toEqual(pages[1]!.states.at(-1));
    for (const page of pages) page.close();
  }, 30_000);
});
