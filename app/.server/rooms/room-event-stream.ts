import { PartnerView, type PartnerPresence, type PartnerReceipts } from "./partner-view";
import { StoreUnavailableError } from "../store-errors";
import type { PublishedEvent, RoomState, RoomStore, StoredMessage } from "./types";
import { type EventFeed, type EventSink, PushedEvents } from "../pushed-events";

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
 * It subscribes before reading the stored backlog, holding live events meanwhile, so nothing
 * published between the two reads is lost; anything at or below the last id told is dropped, so
 * nothing is repeated. After the backlog comes the room's state (seats, the partner's presence,
 * receipts, typing, public keys and names). State events are not history: they carry the last
 * message's id, are never replayed, and a resumed stream starts with the current state instead.
 */
export function roomEventStream(store: RoomStore, options: RoomStreamOptions): PushedEvents<RoomStreamEvent> {
  return new PushedEvents(new RoomEventFeed(store, options));
}

/**
 * `roomEventStream`'s work, pushed: each published event is handled as the subscriber hears it
 * and told to the sink in the same turn. Only what needs the store's answer (the opening reads, a
 * re-read after a gap or a resync, the deadline's check) is awaited, and events that arrive
 * meanwhile wait in `queue` until it is done, so the order holds. One object per open stream,
 * its steps on the prototype: it lives as long as its tab.
 */
export class RoomEventFeed implements EventFeed<RoomStreamEvent> {
  private sink: EventSink<RoomStreamEvent> | undefined;
  private readonly queue: PublishedEvent[] = [];
  private readonly partner: PartnerView;
  private readonly now: () => number;
  /** The last message id told: the next message to tell is the one after it. */
  private lastId: number;
  private deadline: number;
  /** Waiting for the store (or handling an event): what is published meanwhile waits in `queue`. */
  private busy = true;
  private ended = false;
  /** The deadline passed: once the queue is empty, the store is asked whether the room is gone. */
  private expired = false;
  private expiryTimer: NodeJS.Timeout | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private disconnect: (() => void) | undefined;

  constructor(
    private readonly store: RoomStore,
    private readonly options: RoomStreamOptions,
  ) {
    this.partner = new PartnerView(options.seat);
    this.now = options.now ?? Date.now;
    this.lastId = options.afterId;
    this.deadline = this.now() + options.ttlMs;
  }

  start(sink: EventSink<RoomStreamEvent>): void {
    this.sink = sink;
    const { signal, ttlMs } = this.options;
    if (signal.aborted) return this.finish();
    // The feed itself is the listener (`handleEvent`): no closure of its own per stream.
    signal.addEventListener("abort", this, { once: true });
    this.expiryTimer = setTimeout(deadlinePassed, ttlMs, this);
    this.open().then(
      () => this.drain(),
      (error: unknown) => this.fail(error),
    );
  }

  stop(): void {
    this.finish();
  }

  /** The signal aborted. */
  handleEvent(): void {
    this.finish();
  }

  /** Called by the subscription for every event published to the room. */
  private readonly published = (event: PublishedEvent): void => {
    if (this.ended) return;
    this.queue.push(event);
    if (!this.busy) this.drain();
  };

  private async open(): Promise<void> {
    const { store } = this;
    const { roomId, seat, afterId } = this.options;
    const unsubscribe = await store.subscribe(roomId, this.published);
    if (this.ended) return unsubscribe();
    this.unsubscribe = unsubscribe;
    // Asked together, they reach Redis in one write and are answered in order: the state read
    // already holds this member's presence, as it did when it waited for it, one round trip sooner.
    const connecting = store.connect(roomId, seat).then((release) => {
      if (this.ended)
        release(); // the stream ended (a read failed, the reader left) before it was connected
      else this.disconnect = release;
    });
    const [backlog, state] = await Promise.all([
      store.messagesAfter(roomId, afterId, { seat }),
      store.roomState(roomId),
      connecting,
    ]);
    if (this.ended) return;
    // Gone between the membership check and now.
    if (!this.catchUp(backlog, state, false)) await this.endGone();
  }

  /** Handles what is queued, in order, until the queue is empty or a step must wait for the store. */
  private drain(): void {
    this.busy = true;
    try {
      while (!this.ended) {
        const event = this.queue.shift();
        const step = event ? this.take(event) : this.expired ? this.checkDeadline() : undefined;
        if (step) {
          step.then(
            () => this.drain(),
            (error: unknown) => this.fail(error),
          );
          return;
        }
        if (!event) break;
      }
    } catch (error) {
      this.fail(error);
    }
    this.busy = false;
  }

  /** Tells what `event` means to this viewer; returns a promise when that waits for the store. */
  private take(event: PublishedEvent): Promise<void> | void {
    const lastId = this.lastId;
    switch (event.type) {
      case "message":
        if (event.message.id <= lastId) return;
        // Ids run on by one, but for a failover's jump: a live message past the next id means some
        // were published while the subscriber was away (after a failover ioredis subscribes again
        // before it says so). They are read first.
        if (event.message.id > lastId + 1) return this.fillGap(event.message);
        this.lastId = event.message.id;
        this.tell({ id: this.lastId, type: "message", message: event.message, live: true });
        return;
      case "members":
        return this.tell({ id: lastId, type: "members", count: event.count });
      case "presence": {
        const changed = this.partner.updatePresence(event.seat, { here: event.here, lastSeen: event.lastSeen });
        if (changed) this.tell({ id: lastId, type: "presence", ...changed });
        return;
      }
      case "receipts": {
        const changed = this.partner.updateReceipts(event.seat, event);
        if (changed) this.tell({ id: lastId, type: "receipts", ...changed });
        return;
      }
      case "typing":
        if (this.partner.isPartner(event.seat)) {
          const { typing, name, expiresInMs } = event;
          this.tell({ id: lastId, type: "typing", typing, name, expiresInMs });
        }
        return;
      case "name":
        return this.tell({ id: lastId, type: "name", mine: !this.partner.isPartner(event.seat), name: event.name });
      case "keys":
        if (this.partner.isPartner(event.seat))
          this.tell({ id: lastId, type: "partner-keys", publicKeys: event.publicKeys });
        return;
      case "left": {
        if (!this.partner.isPartner(event.seat)) {
          // This seat was given up in another tab: nothing more here is this viewer's to read.
          this.tell({ id: lastId, type: "left" });
          return this.finish();
        }
        this.tell({ id: lastId, type: "partner-left" });
        const changed = this.partner.removeSeat(event.seat);
        if (changed) this.tell({ id: lastId, type: "presence", ...changed });
        return;
      }
      case "arrived":
        if (this.partner.isPartner(event.seat)) this.tell({ id: lastId, type: "partner-arrived", after: event.after });
        return;
      case "presence-grace":
        return; // still here until the grace period ends; the store settles it
      case "resync":
        // The store's subscription was interrupted: read what may have been missed.
        return this.resync();
      case "destroyed":
        this.tell({ id: event.id, type: "destroyed" });
        return this.finish();
      case "cleared":
        return this.tell({ id: lastId, type: "cleared", upTo: event.upTo });
      case "lost":
        // Whatever this stream told: the viewer's own sends were answered elsewhere.
        return this.tell({ id: lastId, type: "lost", after: event.after, before: event.before });
    }
  }

  /** The messages between the last one told and `live`, then `live`. */
  private async fillGap(live: StoredMessage): Promise<void> {
    const { roomId, seat } = this.options;
    let missed: StoredMessage[] | null;
    try {
      missed = await this.store.messagesAfter(roomId, this.lastId, { seat });
    } catch (error) {
      // A re-read later tells them and this one in order.
      return this.retryLater(error);
    }
    if (this.ended) return;
    for (const message of missed ?? []) {
      if (message.id <= this.lastId || message.id >= live.id) continue;
      this.lastId = message.id;
      this.tell({ id: this.lastId, type: "message", message, live: true });
    }
    this.lastId = live.id;
    this.tell({ id: this.lastId, type: "message", message: live, live: true });
  }

  private async resync(): Promise<void> {
    const { roomId, seat } = this.options;
    let missed: [StoredMessage[] | null, RoomState | null];
    try {
      missed = await Promise.all([
        this.store.messagesAfter(roomId, this.lastId, { seat }),
        this.store.roomState(roomId),
      ]);
    } catch (error) {
      // After a failover the subscriber may be back before the commands connection: what was
      // published meanwhile would be missed for good, so the re-read is tried again.
      return this.retryLater(error);
    }
    if (this.ended) return;
    if (!this.catchUp(...missed, true)) await this.endGone();
  }

  /** A re-read the store could not answer is tried again soon; any other failure ends the stream. */
  private retryLater(error: unknown): void {
    if (!(error instanceof StoreUnavailableError)) throw error;
    clearTimeout(this.resyncTimer);
    this.resyncTimer = setTimeout(resyncAgain, RESYNC_RETRY_MS, this);
  }

  /** Called by the resync timer. */
  resyncDue(): void {
    this.published({ type: "resync" });
  }

  /** Called by the expiry timer. */
  deadlineDue(): void {
    this.expired = true;
    if (!this.busy) this.drain();
  }

  /** Past the deadline, with nothing queued: ends the stream if the room is gone. */
  private async checkDeadline(): Promise<void> {
    const leftMs = await remainingMs(this.store, this.options.roomId);
    if (this.ended) return;
    if (leftMs === null) {
      this.tell({ id: this.lastId + 1, type: "expired" });
      return this.finish();
    }
    // A direct chat with a later message than when the stream last looked.
    this.expired = false;
    this.deadline = this.now() + leftMs;
    this.expiryTimer = setTimeout(deadlinePassed, leftMs, this);
  }

  /** Ends a stream that found its room gone, saying why: at its deadline, on purpose, or lost by the store. */
  private async endGone(): Promise<void> {
    const id = this.lastId + 1;
    let last: RoomStreamEvent;
    // The deadline was taken here after the store measured the lifetime: its expiry comes a little sooner.
    if (this.now() >= this.deadline - EXPIRY_SLACK_MS) last = { id, type: "expired" };
    else {
      // Unknown (the store unreachable again): destroyed, as streams said before they could tell.
      const onPurpose = await this.store.wasEnded(this.options.roomId).catch(() => true);
      last = onPurpose ? { id, type: "destroyed" } : { id, type: "destroyed", reason: "lost" };
    }
    if (this.ended) return;
    this.tell(last);
    this.finish();
  }

  /**
   * Messages after the last one told, then whatever state changed; false when the room is gone.
   */
  private catchUp(messages: StoredMessage[] | null, state: RoomState | null, live: boolean): boolean {
    if (!messages || !state) return false;
    const { partner } = this;
    // A store that lost acknowledged writes (a Redis failover, decision 031) may hold less than
    // this stream told: its last id is then below the cursor until the next send, which jumps
    // past the span and records it. Either way the viewer is told which ids are gone, before
    // anything newer, and the cursor follows the store. The recorded span is told on every (re)read,
    // whatever the cursor: the viewer's own sends were answered by the send, not the stream.
    const held = this.lastId;
    if (state.lost) this.tell({ id: held, type: "lost", ...state.lost });
    if (state.lastId < held) {
      this.tell({ id: held, type: "lost", after: state.lastId, before: held + 1 });
      this.lastId = state.lastId;
    }
    for (const message of messages) {
      if (message.id <= this.lastId) continue;
      // A direct chat cleared while this viewer was away: what they hold from before is gone too.
      if (message.notice?.kind === "cleared") this.tell({ id: this.lastId, type: "cleared", upTo: message.id - 1 });
      this.lastId = message.id;
      this.tell({ id: this.lastId, type: "message", message, live });
    }
    const lastId = this.lastId;
    // Before seats and presence: the browser names whoever it announces, and knows whether this
    // viewer has a name yet by the time `members` says the state has arrived.
    for (const { seat, name } of state.names) {
      this.tell({ id: lastId, type: "name", mine: !partner.isPartner(seat), name });
    }
    this.tell({ id: lastId, type: "members", count: state.memberCount });
    // Before presence: the browser tells the viewer about a newcomer when they show up.
    for (const arrival of state.arrivals) {
      if (partner.isPartner(arrival.seat)) this.tell({ id: lastId, type: "partner-arrived", after: arrival.after });
    }
    const changed = partner.load(state);
    if (changed.presence) this.tell({ id: lastId, type: "presence", ...changed.presence });
    if (changed.receipts) this.tell({ id: lastId, type: "receipts", ...changed.receipts });
    for (const typing of state.typing) {
      if (partner.isPartner(typing.seat))
        this.tell({ id: lastId, type: "typing", typing: true, name: typing.name, expiresInMs: typing.expiresInMs });
    }
    for (const keys of state.keys) {
      if (partner.isPartner(keys.seat)) this.tell({ id: lastId, type: "partner-keys", publicKeys: keys.publicKeys });
    }
    return true;
  }

  private tell(event: RoomStreamEvent): void {
    this.sink!.event(event);
  }

  private finish(): void {
    if (this.close()) this.sink?.end();
  }

  private fail(error: unknown): void {
    if (this.close()) this.sink?.fail(error);
  }

  /** Lets go of everything the stream holds; false when it already had. */
  private close(): boolean {
    if (this.ended) return false;
    this.ended = true;
    this.queue.length = 0;
    clearTimeout(this.expiryTimer);
    clearTimeout(this.resyncTimer);
    this.options.signal.removeEventListener("abort", this);
    this.disconnect?.();
    this.unsubscribe?.();
    return true;
  }
}

// Timer callbacks at module level, handed their feed: a closure per stream otherwise.
function deadlinePassed(feed: RoomEventFeed): void {
  feed.deadlineDue();
}
function resyncAgain(feed: RoomEventFeed): void {
  feed.resyncDue();
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
