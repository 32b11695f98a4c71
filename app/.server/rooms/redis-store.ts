import { Cluster } from "ioredis";
import type { RoomKind } from "~/shared/room-kinds";
import { LocalFanout } from "../local-fanout";
import type { RedisChannels } from "../redis/channels";
import type { RedisClient, RedisConnections } from "../redis/connections";
import { defineScripts, unavailable } from "../redis/script-runner";
import { RedisPresence, type PresenceReply } from "./redis-presence";
import { heartbeatScript, instanceBeatScript, presenceScript, strangersHereScript } from "./redis-presence-scripts";
import type { InstanceHeartbeats } from "../redis/stream-slots";
import { allRoomKeys, matchKeys, READY_PROBE_KEY, ROOM_KEY_COUNT, roomChannel, roomKeys } from "../redis/keys";
import { checkDirectChat, checkTimer } from "./direct-chat-checks";
import { decodeEvent, decodeStoredMessage } from "./redis-codec";
import {
  appendMemberMessageScript,
  clearChatScript,
  createRoomScript,
  destroyScript,
  getImageScript,
  joinScript,
  leaveScript,
  memberScript,
  messagesAfterScript,
  openDirectChatScript,
  publishKeysScript,
  putImageScript,
  receiptsScript,
  setNameScript,
  setChatBlockedScript,
  setChatTimerScript,
  typingScript,
} from "./redis-scripts";
import {
  DEFAULT_PRESENCE_GRACE_MS,
  MESSAGE_CAP,
  ROOM_CAPACITY,
  ROOM_IMAGE_BYTES_MAX,
  TYPING_TTL_MS,
  type ImageGetOutcome,
  type ImagePutOutcome,
  type JoinOutcome,
  type MemberAppendOutcome,
  type MemberStatus,
  type MessagesAfterOptions,
  type NewMessage,
  type RoomEventListener,
  type RoomState,
  type RoomStore,
  type SeatPresence,
  type TypingStart,
  type DirectChatInfo,
  type StoredMessage,
} from "./types";

/**
 * A room's keys as the send script and the direct-chat scripts take them: meta, msgs, cids,
 * members, images, then every other key but the `ended` marker (written only once a room is
 * ended). A direct chat's writes give each of them the chat's new deadline, so a key added to
 * `roomKeys` is covered without a change here.
 */
function chatKeys(roomId: string): string[] {
  const { meta, messages, clientIds, members, images, ended: _ended, ...rest } = roomKeys(roomId);
  return [meta, messages, clientIds, members, images, ...Object.values(rest)];
}
const CHAT_KEY_COUNT = ROOM_KEY_COUNT - 1;

const SCRIPTS = {
  ephCreateRoom: { numberOfKeys: 1, lua: createRoomScript },
  ephJoin: { numberOfKeys: 2, lua: joinScript },
  ephMember: { numberOfKeys: 2, lua: memberScript },
  ephAppendMember: { numberOfKeys: CHAT_KEY_COUNT, lua: appendMemberMessageScript },
  ephMessagesAfter: { numberOfKeys: 2, lua: messagesAfterScript },
  ephDestroy: { numberOfKeys: ROOM_KEY_COUNT, lua: destroyScript },
  ephTyping: { numberOfKeys: 2, lua: typingScript },
  ephReceipts: { numberOfKeys: 1, lua: receiptsScript },
  ephLeave: { numberOfKeys: 3, lua: leaveScript },
  ephPublishKeys: { numberOfKeys: 1, lua: publishKeysScript },
  ephSetName: { numberOfKeys: 1, lua: setNameScript },
  ephPutImage: { numberOfKeys: 3, lua: putImageScript },
  ephGetImage: { numberOfKeys: 3, lua: getImageScript },
  ephOpenDirectChat: { numberOfKeys: 2, lua: openDirectChatScript },
  ephChatTimer: { numberOfKeys: CHAT_KEY_COUNT, lua: setChatTimerScript },
  ephClearChat: { numberOfKeys: CHAT_KEY_COUNT, lua: clearChatScript },
  ephChatBlocked: { numberOfKeys: 1, lua: setChatBlockedScript },
} as const;

/** Presence's scripts: on a Redis Cluster they keep off the keys of other slots (decision 025). */
const STANDALONE_PRESENCE_SCRIPTS = {
  ephPresence: { numberOfKeys: 5, lua: presenceScript(false) },
  ephHeartbeat: { numberOfKeys: 2, lua: heartbeatScript },
} as const;
const CLUSTER_PRESENCE_SCRIPTS = {
  ephPresenceSharded: { numberOfKeys: 3, lua: presenceScript(true) },
  ephInstanceBeat: { numberOfKeys: 1, lua: instanceBeatScript },
  ephStrangersHere: { numberOfKeys: 1, lua: strangersHereScript },
} as const;

type ScriptName =
  keyof typeof SCRIPTS | keyof typeof STANDALONE_PRESENCE_SCRIPTS | keyof typeof CLUSTER_PRESENCE_SCRIPTS;

const PUT_IMAGE_OUTCOMES: ImagePutOutcome[] = ["not-found", "not-member", "exists", "room-full", "stored"];

export interface RedisStoreOptions {
  /** How long a seat whose last stream closed still counts as here. */
  presenceGraceMs?: number;
  /** The stranger queue whose "people online" this store's presence keeps (tests: one per file). */
  strangerQueue?: string;
}

/** How often each instance checks that the rooms it streams still exist. */
const ROOM_CHECK_MS = 2000;
/** Rooms checked per EXISTS command. */
const ROOM_CHECK_BATCH = 500;

/**
 * The multi-instance store, on the process's shared connections (redis/connections.ts): its
 * subscriptions feed a local fan-out, and every room operation is one Lua round trip. Closing it
 * leaves the connections open for whoever built them to close.
 */
export class RedisRoomStore implements RoomStore {
  readonly kind = "redis";
  private readonly redis: RedisClient;
  /** On a Redis Cluster: events go out on shard channels (decision 025). */
  private readonly sharded: boolean;
  private readonly fanout = new LocalFanout();
  private readonly channels: RedisChannels;
  private readonly presence: RedisPresence;
  private readonly run: ReturnType<typeof defineScripts<ScriptName>>;

  private readonly roomCheck: NodeJS.Timeout;
  private checkingRooms = false;

  constructor(connections: RedisConnections, options: RedisStoreOptions = {}) {
    this.redis = connections.commands;
    this.sharded = connections.cluster;
    const run = defineScripts<ScriptName>(this.redis, {
      ...SCRIPTS,
      ...(this.sharded ? CLUSTER_PRESENCE_SCRIPTS : STANDALONE_PRESENCE_SCRIPTS),
    } as Record<ScriptName, { numberOfKeys: number; lua: string }>);
    this.run = run;
    this.channels = connections.channels;
    this.presence = new RedisPresence(
      this.sharded
        ? {
            cluster: true,
            presence: (...args) => run("ephPresenceSharded", ...args) as Promise<PresenceReply | null>,
            beat: (...args) => run("ephInstanceBeat", ...args) as Promise<string[]>,
            strangersHere: (...args) => run("ephStrangersHere", ...args),
          }
        : {
            cluster: false,
            presence: (...args) => run("ephPresence", ...args) as Promise<PresenceReply | null>,
            heartbeat: (...args) => run("ephHeartbeat", ...args) as Promise<string[]>,
          },
      () => this.fanout.roomIds(),
      options.presenceGraceMs ?? DEFAULT_PRESENCE_GRACE_MS,
      matchKeys(this.sharded, options.strangerQueue).here,
    );
    this.roomCheck = setInterval(() => void this.checkRooms(), ROOM_CHECK_MS);
    this.roomCheck.unref();
  }

  async createRoom(roomId: string, ttlMs: number, keyCheck?: string) {
    const expiresAt = (await this.run("ephCreateRoom", roomKeys(roomId).meta, ttlMs, keyCheck ?? "")) as number;
    if (expiresAt < 0) throw new Error("room id collision");
    return { expiresAt };
  }

  async join(roomId: string, memberId: string, claim?: string): Promise<JoinOutcome> {
    const keys = roomKeys(roomId);
    const [code, seat = 0, ttlMs = 0, kind = "private", keyCheck = ""] = (await this.run(
      "ephJoin",
      keys.meta,
      keys.members,
      memberId,
      ROOM_CAPACITY,
      this.channel(roomId),
      claim ?? "",
    )) as [number, number?, number?, RoomKind?, string?];
    switch (code) {
      case 1:
        return { status: "full", ttlMs };
      case 2:
      case 3:
        return { status: code === 2 ? "member" : "joined", seat, ttlMs, kind, keyCheck: keyCheck || null };
      default:
        return { status: "not-found" };
    }
  }

  async memberStatus(roomId: string, memberId: string): Promise<MemberStatus> {
    const keys = roomKeys(roomId);
    const [code, seat = 0, ttlMs = 0] = (await this.run("ephMember", keys.meta, keys.members, memberId)) as number[];
    if (code === 2) return { status: "member", seat, ttlMs };
    if (code === 1) return { status: "not-member", ttlMs };
    return { status: "not-found" };
  }

  async appendMemberMessage(
    roomId: string,
    memberId: string,
    draft: Omit<NewMessage, "author">,
  ): Promise<MemberAppendOutcome> {
    const [code, json] = (await this.run(
      "ephAppendMember",
      ...chatKeys(roomId),
      this.channel(roomId),
      memberId,
      draft.ciphertext,
      MESSAGE_CAP,
      draft.clientId ?? "",
    )) as [number, string?];
    if ((code === 2 || code === 3) && json)
      return { status: code === 3 ? "duplicate" : "stored", message: decodeStoredMessage(json) };
    return { status: code === 4 ? "blocked" : code === 1 ? "not-member" : "not-found" };
  }

  async messagesAfter(roomId: string, afterId: number, { seat, limit }: MessagesAfterOptions = {}) {
    const keys = roomKeys(roomId);
    const rows = (await this.run("ephMessagesAfter", keys.meta, keys.messages, afterId, seat ?? "", limit ?? 0)) as
      string[] | null;
    if (rows === null) return null;
    return rows.map(decodeStoredMessage).filter((message) => message.id > afterId);
  }

  async destroy(roomId: string) {
    const deleted = await this.run("ephDestroy", ...allRoomKeys(roomId), this.channel(roomId));
    return deleted === 1;
  }

  async wasEnded(roomId: string) {
    return (await this.redis.exists(roomKeys(roomId).ended).catch(unavailable)) === 1;
  }

  /**
   * Rooms can vanish with nobody ending them: Redis restarted empty, was flushed, or evicted
   * their keys at maxmemory. Nothing is published then, so every few seconds this instance checks
   * that the rooms it streams still exist (one EXISTS per 500 rooms) and tells the streams of any
   * that do not to re-read: they find the room gone and end, saying why.
   */
  private async checkRooms(): Promise<void> {
    if (this.checkingRooms) return;
    this.checkingRooms = true;
    try {
      const roomIds = this.fanout.roomIds();
      for (let start = 0; start < roomIds.length; start += ROOM_CHECK_BATCH) {
        const batch = roomIds.slice(start, start + ROOM_CHECK_BATCH);
        const metas = batch.map((roomId) => roomKeys(roomId).meta);
        const found = await this.existing(metas);
        found?.forEach((exists, index) => {
          if (exists === 0) this.fanout.deliver(batch[index]!, { type: "resync" });
        });
      }
    } catch {
      // Redis is unreachable: the next check tries again.
    } finally {
      this.checkingRooms = false;
    }
  }

  /**
   * Which of `keys` exist (1) or not (0), or null when all do. A standalone Redis answers all at
   * once first; on a Cluster one EXISTS counts only keys of one slot, so each key is asked alone.
   */
  private async existing(keys: string[]): Promise<number[] | null> {
    if (this.redis instanceof Cluster) {
      const found = await Promise.all(keys.map((key) => this.redis.exists(key)));
      return found.every((exists) => exists === 1) ? null : found;
    }
    if ((await this.redis.exists(...keys)) === keys.length) return null;
    const found = (await this.redis.pipeline(keys.map((key) => ["exists", key])).exec()) ?? [];
    return found.map(([, exists]) => exists as number);
  }

  private channel(roomId: string): string {
    return roomChannel(roomId, this.sharded);
  }

  connect(roomId: string, seat: number) {
    return this.presence.connect(roomId, seat);
  }

  async roomState(roomId: string): Promise<RoomState | null> {
    const reply = await this.presence.read(roomId);
    if (!reply) return null;
    const [, memberCount, metaFields, seats, now] = reply;
    const presence: SeatPresence[] = seats.map(([seat, here, lastSeen]) => ({
      seat,
      here: here === 1,
      lastSeen: lastSeen || null,
    }));
    const meta = new Map<string, string>();
    for (let index = 0; index < metaFields.length; index += 2) meta.set(metaFields[index]!, metaFields[index + 1]!);
    const lastId = Number(meta.get("seq") ?? 0);
    const state: RoomState = {
      memberCount,
      presence,
      receipts: [],
      typing: [],
      keys: [],
      names: [],
      arrivals: [],
      lastId,
    };
    const lost = /^(\d+):(\d+)$/.exec(meta.get("gp") ?? "");
    if (lost) state.lost = { after: Number(lost[1]), before: Number(lost[2]) };
    for (const [field, value] of meta) {
      const match = /^([dtkap])(\d+)$/.exec(field);
      if (!match) continue;
      const seat = Number(match[2]);
      if (match[1] === "a") {
        state.arrivals.push({ seat, after: Number(value) });
      } else if (match[1] === "p") {
        state.names.push({ seat, name: value });
      } else if (match[1] === "k") {
        state.keys.push({ seat, publicKeys: value });
      } else if (match[1] === "d") {
        state.receipts.push({ seat, delivered: Number(value), seen: Number(meta.get(`s${seat}`) ?? 0) });
      } else if (Number(value) > now) {
        state.typing.push({ seat, name: meta.get(`n${seat}`) ?? "", expiresInMs: Number(value) - now });
      }
    }
    return state;
  }

  async setTyping(roomId: string, seat: number, typing: TypingStart | null) {
    const keys = roomKeys(roomId);
    const done = await this.run(
      "ephTyping",
      keys.meta,
      keys.clientIds,
      seat,
      typing ? "1" : "0",
      TYPING_TTL_MS,
      typing?.name ?? "",
      this.channel(roomId),
      typing?.draft ?? "",
    );
    return done === 1;
  }

  async publishKeys(roomId: string, seat: number, publicKeys: string) {
    const done = await this.run("ephPublishKeys", roomKeys(roomId).meta, seat, publicKeys, this.channel(roomId));
    return done === 1;
  }

  async setName(roomId: string, seat: number, sealedName: string) {
    const done = await this.run("ephSetName", roomKeys(roomId).meta, seat, sealedName, this.channel(roomId));
    return done === 1;
  }

  async putImage(roomId: string, memberId: string, imageId: string, bytes: Uint8Array): Promise<ImagePutOutcome> {
    const keys = roomKeys(roomId);
    const code = (await this.run(
      "ephPutImage",
      keys.meta,
      keys.members,
      keys.images,
      memberId,
      imageId,
      Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      ROOM_IMAGE_BYTES_MAX,
    )) as number;
    return PUT_IMAGE_OUTCOMES[code] ?? "not-found";
  }

  async getImage(roomId: string, memberId: string, imageId: string): Promise<ImageGetOutcome> {
    const keys = roomKeys(roomId);
    const [code, bytes] = (await this.run.buffer(
      "ephGetImage",
      keys.meta,
      keys.members,
      keys.images,
      memberId,
      imageId,
    )) as [number, Buffer?];
    if (code === 3 && bytes)
      return { status: "found", bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
    return { status: code === 2 ? "no-image" : code === 1 ? "not-member" : "not-found" };
  }

  async markReceipts(roomId: string, seat: number, delivered: number, seen: number) {
    const done = await this.run("ephReceipts", roomKeys(roomId).meta, seat, delivered, seen, this.channel(roomId));
    return done === 1;
  }

  async leave(roomId: string, memberId: string, options: { unread?: boolean } = {}) {
    const keys = roomKeys(roomId);
    const done = await this.run(
      "ephLeave",
      keys.meta,
      keys.members,
      keys.live,
      memberId,
      this.channel(roomId),
      options.unread ? "1" : "",
    );
    return done === 1 ? "left" : done === 2 ? "match" : "not-member";
  }

  async subscribe(roomId: string, listener: RoomEventListener) {
    const channel = this.channel(roomId);
    const unsubscribe = () => {
      if (this.fanout.remove(roomId, listener)) this.channels.remove(channel);
    };
    this.fanout.add(roomId, listener);
    try {
      // One handler per room (registered by its first listener) decodes each event once for all
      // of this instance's listeners; later ones wait for the same confirmation.
      await this.channels.add(channel, (payload) => this.deliver(roomId, payload));
    } catch (error) {
      unsubscribe();
      unavailable(error);
    }
    return unsubscribe;
  }

  private deliver(roomId: string, payload: string | null): void {
    if (payload === null) {
      this.fanout.deliver(roomId, { type: "resync" });
      return;
    }
    const event = decodeEvent(payload);
    // Whichever instance has listeners settles a grace period, so it ends even if the instance
    // that started it has gone.
    if (event.type === "presence-grace") this.presence.graceStarted(roomId);
    this.fanout.deliver(roomId, event);
  }

  async openDirectChat(chatId: string, members: [string, string], timerMs: number): Promise<DirectChatInfo> {
    checkDirectChat(members, timerMs);
    const keys = roomKeys(chatId);
    const [code, timer = 0, blockedBy = 0, expiresAt = 0] = (await this.run(
      "ephOpenDirectChat",
      keys.meta,
      keys.members,
      members[0],
      members[1],
      timerMs,
    )) as number[];
    if (code === -1) throw new Error("room id collision");
    return { created: code === 1, timerMs: timer, blockedBy: blockedBy || null, expiresAt };
  }

  async directChatInfo(chatId: string): Promise<DirectChatInfo | null> {
    const [timer, blockedBy, expiresAt] = await this.redis
      .hmget(roomKeys(chatId).meta, "tmr", "blk", "exp")
      .catch(unavailable);
    if (!timer || !expiresAt) return null;
    return {
      created: false,
      timerMs: Number(timer),
      blockedBy: blockedBy ? Number(blockedBy) : null,
      expiresAt: Number(expiresAt),
    };
  }

  async setChatTimer(chatId: string, seat: number, timerMs: number): Promise<StoredMessage | null> {
    checkTimer(timerMs);
    const reply = (await this.run(
      "ephChatTimer",
      ...chatKeys(chatId),
      seat,
      timerMs,
      this.channel(chatId),
      MESSAGE_CAP,
    )) as [number, string] | null;
    return reply ? decodeStoredMessage(reply[1]) : null;
  }

  async clearChat(chatId: string, seat: number): Promise<StoredMessage | null> {
    const reply = (await this.run("ephClearChat", ...chatKeys(chatId), seat, this.channel(chatId), MESSAGE_CAP)) as
      [number, string] | null;
    return reply ? decodeStoredMessage(reply[1]) : null;
  }

  async setChatBlocked(chatId: string, blockedBy: number | null): Promise<boolean> {
    return (await this.run("ephChatBlocked", roomKeys(chatId).meta, blockedBy ?? "")) === 1;
  }

  /**
   * A write, not PING: at maxmemory Redis still answers PING but refuses every write, and an
   * instance that can store nothing is not ready (StoreFullError).
   */
  async ping() {
    const probes = this.redis instanceof Cluster ? await readyProbeKeys(this.redis) : [READY_PROBE_KEY];
    await Promise.all(probes.map((key) => this.redis.set(key, "1", "PX", 60_000))).catch(unavailable);
  }

  /**
   * This instance's heartbeats, which presence keeps: stream slots count per instance on them
   * (redis/stream-slots.ts).
   */
  get instance(): InstanceHeartbeats {
    return this.presence;
  }

  async close() {
    clearInterval(this.roomCheck);
    await this.presence.close();
  }
}

/** The slot of each probe key tried so far: a key's slot never changes, its primary may. */
const probeSlots: number[] = [];

/**
 * One probe key per primary of the Cluster, each in a slot that primary holds now, so readiness
 * writes to every primary: one that is down or full makes the instance unready, as the rooms it
 * holds are unusable.
 */
async function readyProbeKeys(cluster: Cluster): Promise<string[]> {
  if (cluster.status !== "ready") await cluster.cluster("INFO");
  const probeKey = (tag: number) => `${READY_PROBE_KEY}:{${tag}}`;
  const primaries = new Set(cluster.nodes("master").map((node) => `${node.options.host}:${node.options.port}`));
  const keys: string[] = [];
  for (let tag = 0; primaries.size > 0 && tag < 1000; tag++) {
    probeSlots[tag] ??= (await cluster.cluster("KEYSLOT", probeKey(tag))) as number;
    const owner = cluster.slots[probeSlots[tag]!]?.[0];
    if (owner && primaries.delete(owner)) keys.push(probeKey(tag));
  }
  return keys;
}
