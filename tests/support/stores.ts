import { inject } from "vitest";
import { MemoryRoomStore } from "~/.server/rooms/memory-store";
import { RedisRoomStore, type RedisStoreOptions } from "~/.server/rooms/redis-store";
import type { RoomStore, StoredMessage } from "~/.server/rooms/types";
import { MemoryMatchStore } from "~/.server/match/memory-match-store";
import { RedisMatchStore } from "~/.server/match/redis-match-store";
import type { MatchStore } from "~/.server/match/types";
import { newRoomId } from "~/.server/room-token";
import {
  createRedisConnections,
  type RedisConnectionOptions,
  type RedisConnections,
  type RedisTarget,
} from "~/.server/redis/connections";
import type { Storage } from "~/.server/services";

/** Backends every store-level contract runs on. */
export const STORE_KINDS = ["memory", "redis"] as const;
/**
 * Backends the room store's and the stranger queue's contracts run on: also the suite's
 * 3-primary Redis Cluster (decisions 025, 028).
 */
export const ROOM_STORE_KINDS = ["memory", "redis", "cluster"] as const;
export type StoreKind = (typeof STORE_KINDS)[number];
export type RoomStoreKind = (typeof ROOM_STORE_KINDS)[number];

/** The suite's Redis Cluster, as createRedisConnections takes it. */
export const clusterTarget = () => ({ clusterNodes: inject("redisClusterNodes").split(",") });

/** Short enough for tests to watch a grace period pass. */
export const TEST_PRESENCE_GRACE_MS = 300;

/** A Redis room store that is the only user of its connections, so closing it closes them. */
class RedisRoomStoreOnItsOwn extends RedisRoomStore {
  constructor(
    private readonly own: RedisConnections,
    options: RedisStoreOptions,
  ) {
    super(own, options);
  }

  override async close() {
    await super.close();
    await this.own.close();
  }
}

/** A Redis room store on connections of its own (the app shares them with its other stores). */
export function redisRoomStore(
  url: RedisTarget,
  options: RedisStoreOptions & RedisConnectionOptions = {},
): RedisRoomStore {
  return new RedisRoomStoreOnItsOwn(createRedisConnections(url, options), options);
}

/** A real store of any kind; Redis ones talk to the suite's own redis-server or Redis Cluster. */
export function makeStore(kind: RoomStoreKind, presenceGraceMs = TEST_PRESENCE_GRACE_MS): RoomStore {
  if (kind === "memory") return new MemoryRoomStore({ presenceGraceMs });
  return redisRoomStore(kind === "cluster" ? clusterTarget() : inject("redisUrl"), { presenceGraceMs });
}

/**
 * Rooms of either kind for createServices, whose `close()` closes them (and the Redis connections
 * every store shares). The stranger queue is one per Redis database: a file that uses it passes
 * its own database number.
 */
export function makeStorage(
  kind: StoreKind,
  { database, presenceGraceMs = TEST_PRESENCE_GRACE_MS }: { database?: number; presenceGraceMs?: number } = {},
): Storage {
  if (kind === "memory") return { kind, store: new MemoryRoomStore({ presenceGraceMs }) };
  const url = database === undefined ? inject("redisUrl") : `${inject("redisUrl")}/${database}`;
  const connections = createRedisConnections(url);
  return { kind, store: new RedisRoomStore(connections, { presenceGraceMs }), connections };
}

export async function createRoom(store: RoomStore, ttlMs = 60_000): Promise<string> {
  const roomId = newRoomId();
  await store.createRoom(roomId, ttlMs);
  return roomId;
}

/**
 * A member's send, as the app makes it: the message stored (or, for a clientId this member
 * already used, the first copy), or null when the room is gone.
 */
export async function sendAs(
  store: RoomStore,
  roomId: string,
  memberId: string,
  ciphertext: string,
  clientId?: string,
): Promise<StoredMessage | null> {
  const outcome = await store.appendMemberMessage(
    roomId,
    memberId,
    clientId === undefined ? { ciphertext } : { ciphertext, clientId },
  );
  if (outcome.status === "not-member") throw new Error("the sender holds no seat in the room");
  if (outcome.status === "blocked") throw new Error("the chat is blocked");
  return outcome.status === "not-found" ? null : outcome.message;
}

/** What is left of a room's lifetime in ms, as every member check reads it; null when it is gone. */
export async function remainingMs(store: RoomStore, roomId: string): Promise<number | null> {
  const status = await store.memberStatus(roomId, "");
  return status.status === "not-found" ? null : status.ttlMs;
}

/** How many seats are taken, as the room's state reads it; null when the room is gone. */
export async function seatsTaken(store: RoomStore, roomId: string): Promise<number | null> {
  return (await store.roomState(roomId))?.memberCount ?? null;
}

/** Drains an async iterable into an array in the background, for assertions with waitFor. */
export function collect<T>(iterable: AsyncIterable<T>) {
  const items: T[] = [];
  let done = false;
  const finished = (async () => {
    for await (const item of iterable) items.push(item);
    done = true;
  })();
  return {
    items,
    finished,
    get done() {
      return done;
    },
  };
}

/**
 * A room store and a stranger queue of any kind. The Redis queue is one per database, so each
 * test file that uses it passes its own database number and never meets another file's visitors;
 * on the Cluster (no databases) the number names a queue of the file's own.
 */
export function makeMatchStores(kind: RoomStoreKind, database: number, presenceGraceMs = TEST_PRESENCE_GRACE_MS) {
  if (kind === "memory") {
    const rooms = new MemoryRoomStore({ presenceGraceMs });
    return {
      rooms,
      matches: new MemoryMatchStore(rooms, { graceMs: presenceGraceMs }) as MatchStore,
      redis: undefined,
    };
  }
  const queue = testStrangerQueue(database);
  const connections = createRedisConnections(
    kind === "cluster" ? clusterTarget() : `${inject("redisUrl")}/${database}`,
  );
  const rooms = new RedisRoomStoreOnItsOwn(connections, { presenceGraceMs, strangerQueue: queue });
  return {
    rooms,
    matches: new RedisMatchStore(connections, presenceGraceMs, queue) as MatchStore,
    redis: connections.commands,
    connections,
    queue,
  };
}

/** The Cluster's stranger queue of the test file with this database number. */
export const testStrangerQueue = (database: number) => `strangers-test-${database}`;
