import { PartnerView, type PartnerPresence, type PartnerReceipts } from "./partner-view";
import { StoreUnavailableError } from "../store-errors";
import type { PublishedEvent, RoomState, RoomStore, StoredMessage } from "./types";
import { WakeQueue } from "./wake-queue";

export type RoomStreamEvent =
  /** `live` is false for messages replayed from the stored backlog. */
  | { id: number; type: "message"; message: StoredMessage; live: boolean }
  | { id: number; type: "members"; count: number }
  | ({ id: number; type: "presence" } & PartnerPresence)
  | { id: number; type: "typing"; typing: boolean; name: string; expiresInMs: number }
  | { id: number; type: "partner-keys"; publicKeys: string }
  /** The name a seat goes by, sealed; `mine` when it is the viewer's own (set in any of their tabs). */
  | { id: number; type: "name"; mine: boolean; name: string }
  | ({ id: number; type: "receipts" } & PartnerReceipts)
  | { id: number; type: "partner-left" }
  /** The partner took a seat given up with "Leave room": they cannot read messages up to `after`. */
  | { id: number; type: "partner-arrived"; after: number }
  | { id: number; type: "left" }
  /** `lost`: the room vanished before its deadline with nobody ending it (see `wasEnded`). */
  | { id: number; type: "destroyed"; reason?: "lost" }
  /** A direct chat was cleared: every message with an id up to `upTo` is gone. */
  | { id: number; type: "cleared"; upTo: number }
  /** Messages with ids between `after` and `before` were lost by the store (a failover). */
  | { id: number; type: "lost"; after: number; before: number }
  | { id: number; type: "expired" };

/** How soon a re-read the store could not answer is tried again. */
const RESYNC_RETRY_MS = 500;

/** How far before its deadline a room that is gone counts as expired rather than lost. */
const EXPIRY_SLACK_MS = 1000;

export interface RoomStreamOptions {
  roomId: string;
  /** The viewer's seat: their own presence, typing and receipts are not news to them. */
  seat: number;
  /**
   * Last event id the client has seen; the stream starts right after it (0: from the start), or
   * where the seat arrived if that is later: a seat taken after a "Leave room" reads nothing older.
   */
  afterId: number;
  /**
   * Remaining lifetime when the stream opened. Then the stream asks the store how long is left
   * (`memberStatus`, whatever the room's kind) and ends with `expired` once it is gone, as a room
   * is by then; a direct chat's deadline moves on with each message, so its stream may wait again.
   */
  ttlMs: number;
  signal: AbortSignal;
  now?: () => number;
}

/**
 * Every event of a room after `afterId`, once each and in order, until the room ends, for the
 * member in `seat`, whose presence it holds for as long as it is open.
 *
 * It subscribes before reading the stored backlog, buffering live events meanwhile, so nothing
 * published between the two reads is lost; anything at or below the last id yielded is dropped,
 * so nothing is repeated. After the backlog comes the room's state (seats, the partner's presence,
 * receipts, typing, public keys and names). State events are not history: they carry the last message's id, are never
 * replayed, and a resumed stream starts with the current state instead.
 */
export async function* roomEventStream(
  store: RoomStore,
  { roomId, seat, afterId, ttlMs, signal, now = Date.now }: RoomStreamOptions,
): AsyncGenerator<RoomStreamEvent, void, undefined> {
  let deadline = now() + ttlMs;
  const queue = new WakeQueue<PublishedEvent>();
  const unsubscribe = await store.subscribe(roomId, (event) => queue.push(event));
  let disconnect: () => void = () => {};
  let ended = false;
  let expired = false;
  const onDeadline = () => {
    expired = true;
    queue.wake();
  };
  let expiryTimer = setTimeout(onDeadline, ttlMs);
  let resyncTimer: NodeJS.Timeout | undefined;
  signal.addEventListener("abort", queue.wake, { once: true });
  const partner = new PartnerView(seat);
  const cursor = { lastId: afterId };
  /** Why a room the stream found gone ended: at its deadline, on purpose, or lost by the store. */
  const ending = async (): Promise<RoomStreamEvent> => {
    const id = cursor.lastId + 1;
    // The deadline was taken here after the store measured the lifetime: its expiry comes a little sooner.
    if (now() >= deadline - EXPIRY_SLACK_MS) return { id, type: "expired" };
    // Unknown (the store unreachable again): destroyed, as streams said before they could tell.
    const onPurpose = await store.wasEnded(roomId).catch(() => true);
    return onPurpose ? { id, type: "destroyed" } : { id, type: "destroyed", reason: "lost" };
  };

  try {
    // Asked together, they reach Redis in one write and are answered in order: the state read
    // already holds this member's presence, as it did when it waited for it, one round trip sooner.
    const connecting = store.connect(roomId, seat).then((release) => {
      if (ended)
        release(); // the reads failed first: nothing below will
      else disconnect = release;
    });
    const [backlog, state] = await Promise.all([
      store.messagesAfter(roomId, afterId, { seat }),
      store.roomState(roomId),
      connecting,
    ]);
    if (!(yield* catchUp(cursor, partner, backlog, state, false))) {
      // Gone between the membership check and now.
      yield await ending();
      return;
    }

    while (!signal.aborted) {
      const event = queue.shift();
      if (event) {
        switch (event.type) {
          case "message":
            if (event.message.id <= cursor.lastId) continue;
            if (event.message.id > cursor.lastId + 1) {
              // Ids run on by one, but for a failover's jump: a live message past the next id
              // means some were published while the subscriber was away (after a failover ioredis
              // subscribes again before it says so). They are read first; if the store cannot
              // answer yet, a re-read later yields them and this one in order.
              let missed: StoredMessage[] | null;
              try {
                missed = await store.messagesAfter(roomId, cursor.lastId, { seat });
              } catch (error) {
                if (!(error instanceof StoreUnavailableError)) throw error;
                clearTimeout(resyncTimer);
                resyncTimer = setTimeout(() => queue.push({ type: "resync" }), RESYNC_RETRY_MS);
                continue;
              }
              for (const message of missed ?? []) {
                if (message.id <= cursor.lastId || message.id >= event.message.id) continue;
                cursor.lastId = message.id;
                yield { id: cursor.lastId, type: "message", message, live: true };
              }
            }
            cursor.lastId = event.message.id;
            yield { id: cursor.lastId, type: "message", message: event.message, live: true };
            break;
          case "members":
            yield { id: cursor.lastId, type: "members", count: event.count };
            break;
          case "presence": {
            const changed = partner.updatePresence(event.seat, { here: event.here, lastSeen: event.lastSeen });
            if (changed) yield { id: cursor.lastId, type: "presence", ...changed };
            break;
          }
          case "receipts": {
            const changed = partner.updateReceipts(event.seat, event);
            if (changed) yield { id: cursor.lastId, type: "receipts", ...changed };
            break;
          }
          case "typing":
            if (partner.isPartner(event.seat)) {
              yield {
                id: cursor.lastId,
                type: "typing",
                typing: event.typing,
                name: event.name,
                expiresInMs: event.expiresInMs,
              };
            }
            break;
          case "name":
            yield { id: cursor.lastId, type: "name", mine: !partner.isPartner(event.seat), name: event.name };
            break;
          case "keys":
            if (partner.isPartner(event.seat))
              yield { id: cursor.lastId, type: "partner-keys", publicKeys: event.publicKeys };
            break;
          case "left": {
            if (!partner.isPartner(event.seat)) {
              // This seat was given up in another tab: nothing more here is this viewer's to read.
              yield { id: cursor.lastId, type: "left" };
              return;
            }
            yield { id: cursor.lastId, type: "partner-left" };
            const changed = partner.removeSeat(event.seat);
            if (changed) yield { id: cursor.lastId, type: "presence", ...changed };
            break;
          }
          case "arrived":
            if (partner.isPartner(event.seat)) yield { id: cursor.lastId, type: "partner-arrived", after: event.after };
            break;
          case "presence-grace":
            break; // still here until the grace period ends; the store settles it
          case "resync": {
            // The store's subscription was interrupted: read what may have been missed.
            let missed: [StoredMessage[] | null, RoomState | null];
            try {
              missed = await Promise.all([
                store.messagesAfter(roomId, cursor.lastId, { seat }),
                store.roomState(roomId),
              ]);
            } catch (error) {
              if (!(error instanceof StoreUnavailableError)) throw error;
              // After a failover the subscriber may be back before the commands connection: what
              // was published meanwhile would be missed for good, so the re-read is tried again.
              clearTimeout(resyncTimer);
              resyncTimer = setTimeout(() => queue.push({ type: "resync" }), RESYNC_RETRY_MS);
              continue;
            }
            if (!(yield* catchUp(cursor, partner, ...missed, true))) {
              yield await ending();
              return;
            }
            break;
          }
          case "destroyed":
            yield { id: event.id, type: "destroyed" };
            return;
          case "cleared":
            yield { id: cursor.lastId, type: "cleared", upTo: event.upTo };
            break;
          case "lost":
            // Whatever this stream yielded: the viewer's own sends were answered elsewhere.
            yield { id: cursor.lastId, type: "lost", after: event.after, before: event.before };
            break;
        }
      } else if (expired) {
        const leftMs = await remainingMs(store, roomId);
        if (leftMs === null) {
          yield { id: cursor.lastId + 1, type: "expired" };
          return;
        }
        // A direct chat with a later message than when the stream last looked.
        expired = false;
        deadline = now() + leftMs;
        expiryTimer = setTimeout(onDeadline, leftMs);
      } else {
        await queue.wait();
      }
    }
  } finally {
    ended = true;
    clearTimeout(expiryTimer);
    clearTimeout(resyncTimer);
    signal.removeEventListener("abort", queue.wake);
    disconnect();
    unsubscribe();
  }
}

/**
 * How long the room has left by the store's clock, or null when it is gone (or the store cannot
 * say: as before a deadline could move, the stream ends then).
 */
async function remainingMs(store: RoomStore, roomId: string): Promise<number | null> {
  try {
    const status = await store.memberStatus(roomId, "");
    return status.status === "not-found" ? null : status.ttlMs;
  } catch (error) {
    if (error instanceof StoreUnavailableError) return null;
    throw error;
  }
}

/**
 * Messages after the last one yielded, then whatever state changed; false when the room is gone.
 * At module level, not inside `roomEventStream`: a generator function declared per call costs
 * every open stream its own closure, prototype and hidden class.
 */
async function* catchUp(
  cursor: { lastId: number },
  partner: PartnerView,
  messages: StoredMessage[] | null,
  state: RoomState | null,
  live: boolean,
): AsyncGenerator<RoomStreamEvent, boolean, undefined> {
  if (!messages || !state) return false;
  // A store that lost acknowledged writes (a Redis failover, decision 031) may hold less than
  // this stream yielded: its last id is then below the cursor until the next send, which jumps
  // past the span and records it. Either way the viewer is told which ids are gone, before
  // anything newer, and the cursor follows the store. The recorded span is told on every (re)read,
  // whatever the cursor: the viewer's own sends were answered by the send, not the stream.
  const held = cursor.lastId;
  if (state.lost) yield { id: held, type: "lost", ...state.lost };
  if (state.lastId < held) {
    yield { id: held, type: "lost", after: state.lastId, before: held + 1 };
    cursor.lastId = state.lastId;
  }
  for (const message of messages) {
    if (message.id <= cursor.lastId) continue;
    // A direct chat cleared while this viewer was away: what they hold from before is gone too.
    if (message.notice?.kind === "cleared") yield { id: cursor.lastId, type: "cleared", upTo: message.id - 1 };
    cursor.lastId = message.id;
    yield { id: cursor.lastId, type: "message", message, live };
  }
  const lastId = cursor.lastId;
  // Before seats and presence: the browser names whoever it announces, and knows whether this
  // viewer has a name yet by the time `members` says the state has arrived.
  for (const { seat, name } of state.names) {
    yield { id: lastId, type: "name", mine: !partner.isPartner(seat), name };
  }
  yield { id: lastId, type: "members", count: state.memberCount };
  // Before presence: the browser tells the viewer about a newcomer when they show up.
  for (const arrival of state.arrivals) {
    if (partner.isPartner(arrival.seat)) yield { id: lastId, type: "partner-arrived", after: arrival.after };
  }
  const changed = partner.load(state);
  if (changed.presence) yield { id: lastId, type: "presence", ...changed.presence };
  if (changed.receipts) yield { id: lastId, type: "receipts", ...changed.receipts };
  for (const typing of state.typing) {
    if (partner.isPartner(typing.seat))
      yield { id: lastId, type: "typing", typing: true, name: typing.name, expiresInMs: typing.expiresInMs };
  }
  for (const keys of state.keys) {
    if (partner.isPartner(keys.seat)) yield { id: lastId, type: "partner-keys", publicKeys: keys.publicKeys };
  }
  return true;
}
