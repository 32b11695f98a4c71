import { inject } from "vitest";
import { MemoryRoomStore } from "~/.server/rooms/memory-store";
import { RedisRoomStore } from "~/.server/rooms/redis-store";
import type { RoomStore } from "~/.server/rooms/types";
import { MemoryMatchStore } from "~/.server/match/memory-match-store";
import { RedisMatchStore } from "~/.server/match/redis-match-store";
import type { MatchStore } from "~/.server/match/types";
import { newRoomId } from "~/.server/room-token";

export const STORE_KINDS = ["memory", "redis"] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

/** Short enough for tests to watch a grace period pass. */
export const TEST_PRESENCE_GRACE_MS = 300;

/** A real store of either kind; Redis ones talk to the suite's own redis-server. */
export function makeStore(kind: StoreKind, presenceGraceMs = TEST_PRESENCE_GRACE_MS): RoomStore {
  return kind === "memory"
    ? new MemoryRoomStore({ presenceGraceMs })
    : new RedisRoomStore(inject("redisUrl"), { presenceGraceMs });
}

export async function createRoom(store: RoomStore, ttlMs = 60_000): Promise<string> {
  const roomId = newRoomId();
  await store.createRoom(roomId, ttlMs);
  return roomId;
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
 * A room store and a stranger queue of either kind. The Redis queue is one per database, so each
 * test file that uses it passes its own database number and never meets another file's visitors.
 */
export function makeMatchStores(kind: StoreKind, database: number, presenceGraceMs = TEST_PRESENCE_GRACE_MS) {
  if (kind === "memory") {
    const rooms = new MemoryRoomStore({ presenceGraceMs });
    return { rooms, matches: new MemoryMatchStore(rooms, { graceMs: presenceGraceMs }) as MatchStore };
  }
  const rooms = new RedisRoomStore(`${inject("redisUrl")}/${database}`, { presenceGraceMs });
  return { rooms, matches: new RedisMatchStore(rooms, presenceGraceMs) as MatchStore };
}
