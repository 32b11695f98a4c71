import { inject } from "vitest";
import { MemoryRoomStore } from "~/.server/rooms/memory-store";
import { RedisRoomStore } from "~/.server/rooms/redis-store";
import type { RoomStore } from "~/.server/rooms/types";
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
