import { inject } from "vitest";
import { MemoryRoomStore } from "~/.server/rooms/memory-store";
import { RedisRoomStore } from "~/.server/rooms/redis-store";
import type { RoomStore, StoredMessage } from "~/.server/rooms/types";
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
  const outcome = await store.appendMemberMessage(roomId, memberId, clientId === undefined ? { ciphertext } : { ciphertext, clientId });
  if (outcome.status === "not-member") throw new Error("the sender holds no seat in the room");
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
