import { StoreUnavailableError, type PublishedEvent, type RoomStore, type StoredMessage } from "./types";

export type RoomStreamEvent =
  /** `live` is false for messages replayed from the stored backlog. */
  | { id: number; type: "message"; message: StoredMessage; live: boolean }
  | { id: number; type: "members"; count: number }
  | { id: number; type: "destroyed" }
  | { id: number; type: "expired" };

export interface RoomStreamOptions {
  roomId: string;
  /** Last event id the client has seen; the stream starts right after it (0: from the start). */
  afterId: number;
  /** Remaining lifetime when the stream opened: the stream ends with `expired` at that moment. */
  ttlMs: number;
  signal: AbortSignal;
  now?: () => number;
}

/**
 * Every event of a room after `afterId`, once each and in order, until the room ends.
 *
 * It subscribes before reading the stored backlog, buffering live events meanwhile, so nothing
 * published between the two reads is lost; anything at or below the last id yielded is dropped,
 * so nothing is repeated. After the backlog comes the current member count; `members` events are
 * state, not history, so they carry the last message's id and are never replayed.
 */
export async function* roomEventStream(
  store: RoomStore,
  { roomId, afterId, ttlMs, signal, now = Date.now }: RoomStreamOptions,
): AsyncGenerator<RoomStreamEvent, void, undefined> {
  const deadline = now() + ttlMs;
  const queue: PublishedEvent[] = [];
  let wake: (() => void) | undefined;
  const notify = () => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  const unsubscribe = await store.subscribe(roomId, (event) => {
    queue.push(event);
    notify();
  });
  let expired = false;
  const expiryTimer = setTimeout(() => {
    expired = true;
    notify();
  }, ttlMs);
  signal.addEventListener("abort", notify, { once: true });

  try {
    let lastId = afterId;
    const snapshot = await readRoom(store, roomId, afterId);
    if (!snapshot) {
      // Gone between the membership check and now: tell the two endings apart by the clock.
      yield { id: lastId + 1, type: now() >= deadline ? "expired" : "destroyed" };
      return;
    }
    for (const message of snapshot.messages) {
      lastId = message.id;
      yield { id: message.id, type: "message", message, live: false };
    }
    yield { id: lastId, type: "members", count: snapshot.memberCount };

    while (!signal.aborted) {
      const event = queue.shift();
      if (event) {
        if (event.type === "message") {
          if (event.message.id <= lastId) continue;
          lastId = event.message.id;
          yield { id: lastId, type: "message", message: event.message, live: true };
        } else if (event.type === "members") {
          yield { id: lastId, type: "members", count: event.count };
        } else if (event.type === "resync") {
          // The store's subscription was interrupted: read what may have been missed.
          let missed: Awaited<ReturnType<typeof readRoom>>;
          try {
            missed = await readRoom(store, roomId, lastId);
          } catch (error) {
            if (error instanceof StoreUnavailableError) continue; // the next reconnect retries
            throw error;
          }
          if (!missed) {
            yield { id: lastId + 1, type: now() >= deadline ? "expired" : "destroyed" };
            return;
          }
          for (const message of missed.messages) {
            if (message.id <= lastId) continue;
            lastId = message.id;
            yield { id: lastId, type: "message", message, live: true };
          }
          yield { id: lastId, type: "members", count: missed.memberCount };
        } else {
          yield { id: event.id, type: "destroyed" };
          return;
        }
      } else if (expired) {
        yield { id: lastId + 1, type: "expired" };
        return;
      } else {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    }
  } finally {
    clearTimeout(expiryTimer);
    signal.removeEventListener("abort", notify);
    unsubscribe();
  }
}

/** The stored messages after `afterId` and the seats taken, or null when the room is gone. */
async function readRoom(store: RoomStore, roomId: string, afterId: number) {
  const [messages, memberCount] = await Promise.all([store.messagesAfter(roomId, afterId), store.memberCount(roomId)]);
  return messages === null || memberCount === null ? null : { messages, memberCount };
}
