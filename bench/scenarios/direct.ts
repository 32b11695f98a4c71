import { performance } from "node:perf_hooks";
import { fakeSignUp } from "../../tests/support/account-inputs";
import {
  createRoom,
  mutate,
  poolFor,
  query,
  queryPath,
  signUp,
  subscribe,
  subscribeChatEvents,
  visit,
  type Stream,
} from "../lib/client";
import {
  cpuPerMessage,
  GC_ON_SIGNAL_ARGS,
  memoryAfterGc,
  metric,
  serverView,
  startCluster,
  type Cluster,
} from "../lib/cluster";
import { drive, openDirectChats, openRooms, warmUp } from "../lib/conversation";
import { latencyHistogram, summarize } from "../lib/stats";
import { timeQueries } from "../lib/time-queries";

interface Person {
  username: string;
  cookie: string;
}

interface Chat {
  chatId: string;
  /** Who opened it and sends in it; `receiver` reads. */
  sender: Person;
  receiver: Person;
}

/**
 * Direct chats between accounts (#22), each phase beside its reference for rooms measured in
 * the same run, on one instance:
 * - setup: `people` accounts signed up through the API (one argon2id hash each), each opening a
 *   chat with the next one round a ring (`people` chats), and one more account, the hub, opening
 *   a chat with every one of them (its list then holds `people` chats);
 * - idle: `tabs` signed-in tabs, each its chat's `room.events` plus its account's `chat.events`,
 *   server memory per tab after a full GC; then as many anonymous room streams (two per room, as
 *   `idle` opens them) for the reference;
 * - latency: `rate` messages a second across the ring's chats, send → the partner's `room.events`,
 *   every account's `chat.events` open (as its tab holds it; not with `lists: false`, to tell
 *   their share); before it, `latency` on as many rooms at the same rate;
 * - list: the hub's `chat.list`, sequential calls after a warm-up.
 * Rooms and lists in Redis, as everywhere in this bench, or with `store: "memory"` in the instance.
 * One worker whatever BENCH_WORKERS says: accounts are kept in the instance's memory (no
 * PostgreSQL here), and a worker knows only the accounts made on it.
 */
export async function direct({
  people = 500,
  tabs = 500,
  rate = 400,
  seconds = 30,
  listCalls = 500,
  lists = true,
  store = "redis" as "redis" | "memory",
} = {}) {
  // With `memory`, the instance keeps rooms and lists itself (an empty REDIS_URL is none).
  const env: Record<string, string> = store === "memory" ? { REDIS_URL: "" } : {};
  const cluster = await startCluster(1, GC_ON_SIGNAL_ARGS, { workers: 1, env });
  const base = cluster.apps[0]!.url;
  try {
    const setupStarted = performance.now();
    const ring = await signUpMany(base, people);
    const [hub] = await signUpMany(base, 1, "dm_hub");
    const chats = await openChats(
      base,
      ring.map((sender, index) => ({ sender, receiver: ring[(index + 1) % people]! })),
    );
    await openChats(
      base,
      ring.map((receiver) => ({ sender: hub!, receiver })),
    );
    const setupSeconds = round((performance.now() - setupStarted) / 1000);

    const idle = await idleTabs(cluster, ring, chats, Math.min(tabs, people));
    const latency = await latencyBeside(cluster, ring, chats, { rate, seconds, lists });
    const list = await listTimes(base, hub!, people, listCalls);
    return { store, people, chats: chats.length, setupSeconds, idle, latency, list };
  } finally {
    await cluster.stop();
  }
}

const round = (value: number, places = 1) => Math.round(value * 10 ** places) / 10 ** places;

/**
 * Signs up `count` accounts, a few at a time: the server hashes on one thread (on two cores) and
 * refuses a sign-in that would wait too long, so a refused one (503) is tried again.
 */
async function signUpMany(base: string, count: number, prefix = "dm_"): Promise<Person[]> {
  const made: Person[] = [];
  const names = Array.from({ length: count }, (_, index) => (count === 1 ? prefix : `${prefix}${index}`));
  const AT_ONCE = 4;
  for (let start = 0; start < names.length; start += AT_ONCE) {
    await Promise.all(
      names.slice(start, start + AT_ONCE).map(async (username, offset) => {
        for (let attempt = 1; ; attempt += 1) {
          try {
            made[start + offset] = { username, cookie: await signUp(base, fakeSignUp(username)) };
            return;
          } catch (error) {
            if (attempt >= 5 || !String(error).includes(": 503")) throw error;
            await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
          }
        }
      }),
    );
  }
  return made;
}

/** `chat.open` from each sender, 50 at a time; the chat's id comes back. */
async function openChats(base: string, pairs: Array<{ sender: Person; receiver: Person }>): Promise<Chat[]> {
  const opened: Chat[] = [];
  const BATCH = 50;
  for (let start = 0; start < pairs.length; start += BATCH) {
    await Promise.all(
      pairs.slice(start, start + BATCH).map(async ({ sender, receiver }, offset) => {
        const { chatId } = await mutate<{ chatId: string }>(
          poolFor(base),
          "chat.open",
          { username: receiver.username },
          sender.cookie,
        );
        opened[start + offset] = { chatId, sender, receiver };
      }),
    );
  }
  return opened;
}

/** Opens `open()`'s streams 50 at a time; resolves once every one has answered. */
async function openStreams(count: number, open: (index: number) => Stream[]): Promise<Stream[]> {
  const streams: Stream[] = [];
  for (let start = 0; start < count; start += 50) {
    const batch = Array.from({ length: Math.min(50, count - start) }, (_, offset) => open(start + offset)).flat();
    await Promise.all(batch.map((stream) => stream.opened));
    streams.push(...batch);
  }
  return streams;
}

/**
 * Server memory per signed-in idle tab (its chat's `room.events` and its account's `chat.events`)
 * after a full GC, then per anonymous room stream, measured the same way right after, for the
 * reference. The second baseline is taken after the tabs closed and a full GC: memory the first
 * part freed may be reused, so the reference's RSS may read low; its heap figure does not.
 */
async function idleTabs(cluster: Cluster, ring: Person[], chats: Chat[], tabs: number) {
  const app = cluster.apps[0]!;
  const base = app.url;
  const settle = () => new Promise((resolve) => setTimeout(resolve, 3000));
  const perUnit = (before: { rss: number; heap: number }, after: { rss: number; heap: number }, units: number) => ({
    rssKB: round((after.rss - before.rss) / units / 1024),
    heapKB: round((after.heap - before.heap) / units / 1024),
  });

  // Warm the paths up (code, JIT, pools) before the baseline.
  const warm = await openStreams(20, (index) => [
    subscribe(base, chats[index]!.sender.cookie, chats[index]!.chatId),
    subscribeChatEvents(base, ring[index]!.cookie),
  ]);
  warm.forEach((stream) => stream.close());
  await settle();
  const before = await memoryAfterGc(app);
  // Tab i: account i on the chat it opened, as a browser on that chat's page. Its two streams are
  // opened one kind at a time, so each kind's share shows.
  const held = await openStreams(tabs, (index) => [subscribe(base, chats[index]!.sender.cookie, chats[index]!.chatId)]);
  await settle();
  const openRoomStreams = await metric(base, "ephemera_open_event_streams");
  const withRoomEvents = await memoryAfterGc(app);
  held.push(...(await openStreams(tabs, (index) => [subscribeChatEvents(base, ring[index]!.cookie)])));
  await settle();
  const withTabs = await memoryAfterGc(app);
  held.forEach((stream) => stream.close());
  await settle();

  // The reference: `idle`'s anonymous room streams, two to a room, as many as the tabs.
  const rooms = Math.ceil(tabs / 2);
  const roomsBefore = await memoryAfterGc(app);
  const roomStreams: Stream[] = [];
  for (let start = 0; start < rooms; start += 50) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(50, rooms - start) }, async () => {
        const roomId = await createRoom(base);
        const [a, b] = [await visit(base, roomId), await visit(base, roomId)];
        const pair = [subscribe(base, a, roomId), subscribe(base, b, roomId)];
        await Promise.all(pair.map((stream) => stream.opened));
        return pair;
      }),
    );
    roomStreams.push(...batch.flat());
  }
  await settle();
  const withRooms = await memoryAfterGc(app);
  roomStreams.forEach((stream) => stream.close());

  const tab = perUnit(before, withTabs, tabs);
  const roomStream = perUnit(roomsBefore, withRooms, roomStreams.length);
  return {
    tabs,
    // `room.events` streams the server counted with the tabs open (chat.events is not among them).
    openRoomStreams,
    perTab: tab,
    // Of which the chat's `room.events`, and the account's `chat.events`.
    perDirectRoomEvents: perUnit(before, withRoomEvents, tabs),
    perChatEvents: perUnit(withRoomEvents, withTabs, tabs),
    perRoomStream: { streams: roomStreams.length, ...roomStream },
    // A tab is two streams; this is what it costs against two room streams.
    tabToTwoRoomStreams: {
      rss: round(tab.rssKB / (2 * roomStream.rssKB), 2),
      heap: round(tab.heapKB / (2 * roomStream.heapKB), 2),
    },
  };
}

/**
 * `latency` on as many rooms as there are chats, then the same drive on the direct chats, each
 * person's `chat.events` open (a send publishes an entry to both people's lists). Ratios are
 * direct over rooms.
 */
async function latencyBeside(
  cluster: Cluster,
  ring: Person[],
  chats: Chat[],
  { rate, seconds, lists }: { rate: number; seconds: number; lists: boolean },
) {
  const base = cluster.apps[0]!.url;
  const rooms = await openRooms([base], chats.length);
  await warmUp(rooms);
  const room = await cpuPerMessage(cluster, () => drive(rooms, { rate, seconds }));
  rooms.close();

  const open = await openDirectChats(
    base,
    chats.map(({ chatId, sender, receiver }) => ({ chatId, sender: sender.cookie, receiver: receiver.cookie })),
  );
  let chatEntries = 0;
  const listStreams = lists
    ? await openStreams(ring.length, (index) => [
        subscribeChatEvents(base, ring[index]!.cookie, () => (chatEntries += 1)),
      ])
    : [];
  await warmUp(open);
  const entriesBefore = chatEntries;
  const directChat = await cpuPerMessage(cluster, () => drive(open, { rate, seconds }));
  // The last entries may still be on their way: give them the time drive gives messages.
  const deadline = performance.now() + 2000;
  while (lists && chatEntries - entriesBefore < 2 * directChat.sent && performance.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 20));
  const server = await serverView(base);
  listStreams.forEach((stream) => stream.close());
  open.close();

  const ratio = (direct: number, reference: number) => round(direct / reference, 2);
  return {
    rate,
    seconds,
    listsOpen: lists,
    room,
    direct: {
      ...directChat,
      // Two per message (the sender's list and the receiver's), on the accounts' chat.events.
      chatEntriesReceived: chatEntries - entriesBefore,
    },
    directToRoom: {
      p50: ratio(directChat.latencyMs.p50, room.latencyMs.p50),
      p99: ratio(directChat.latencyMs.p99, room.latencyMs.p99),
      serverCpuPerMessage: ratio(directChat.cpuMicrosPerMessage.server, room.cpuMicrosPerMessage.server),
      redisCpuPerMessage: ratio(directChat.cpuMicrosPerMessage.redis, room.cpuMicrosPerMessage.redis),
    },
    server,
  };
}

/**
 * The hub's `chat.list`, one call at a time after a warm-up: client-side time, and the server's CPU
 * per call. Timed once the server is quiet: the latency run's 1,500 streams have closed and every
 * partner's presence has settled to gone, 500 changes the grace period would otherwise publish in
 * the middle of the calls.
 */
async function listTimes(base: string, hub: Person, expected: number, calls: number) {
  type Answer = { chats: Array<{ presence: { here: boolean } }> };
  const once = () => query<Answer>(base, "chat.list", {}, hub.cookie);
  let items = 0;
  const quietBy = performance.now() + 60_000;
  for (;;) {
    const streams = await metric(base, "ephemera_open_event_streams");
    const { data } = await once();
    items = data.chats.length;
    if (streams === 0 && data.chats.every((chat) => !chat.presence.here)) break;
    if (performance.now() > quietBy) throw new Error(`chat.list: the server did not settle (${streams} streams open)`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  if (items !== expected) throw new Error(`chat.list: ${items} chats, expected ${expected}`);
  const path = queryPath("chat.list", {});
  const warmup = 50;
  const cpuBefore = await metric(base, "ephemera_process_cpu_seconds_total");
  const { micros, chars } = await timeQueries(base, path, { cookie: hub.cookie, calls, warmup });
  const cpuAfter = await metric(base, "ephemera_process_cpu_seconds_total");
  const histogram = latencyHistogram();
  for (const value of micros) histogram.recordValue(Math.max(1, value));
  return {
    chats: items,
    answerChars: chars,
    latencyMs: summarize(histogram),
    // The timer's warm-up calls ran inside the CPU reading too.
    serverCpuMsPerCall: round(((cpuAfter - cpuBefore) * 1000) / (calls + warmup), 2),
  };
}
