import type { OpenedRoomEvent } from "./chat-message";

export interface Presence {
  here: boolean;
  lastSeen: number | null;
}

/** What this browser knows about the other person. */
export interface PartnerState {
  /** Null until the stream first says: the state found on arrival is not news to announce. */
  presence: Presence | null;
  /**
   * Their display name: the one they announced (`named`), else as last seen on a message or a
   * typing signal. Names are per browser.
   */
  name: string | null;
  /** `name` is the one they announced (on arrival or a rename): messages and typing no longer set it. */
  named?: true;
  /** They came in before announcing a name: "… joined" waits for it, so the log can say who. */
  joinPending?: true;
  /** Shown until this time (this browser's clock) unless a stop, a message or a departure comes first. */
  typing: { name: string; until: number } | null;
  /** They pressed Leave: their seat waits for one new person, whose name we do not know yet. */
  left: boolean;
  /**
   * The partner took a seat someone gave up with Leave: the server gives them no message up to
   * `after`. `announced` once the viewer has been told, which waits until they open the room.
   */
  arrival: { after: number; announced: boolean } | null;
  /** This browser's stream is down: what it last heard may no longer hold (see `whileReconnecting`). */
  stale?: true;
}

export const unknownPartner: PartnerState = { presence: null, name: null, typing: null, left: false, arrival: null };

/** Said when the partner announces a new name in place of one they announced before. */
export function renameNotice(before: string, after: string): string {
  return `${before} is now called ${after}`;
}

/** Said where a newcomer's reading starts: by name once they have announced one. */
export function newcomerNotice(name: string | null): string {
  return `${name ?? "Someone new"} took the free seat. They cannot read anything sent before they arrived.`;
}

export function partnerName(state: PartnerState): string {
  return state.name ?? "Your partner";
}

export interface PartnerUpdate {
  state: PartnerState;
  /** A line for the log when something changed that the reader should know about. */
  notice: string | null;
  /** Where the line goes: after this message id (default: after the newest message). */
  noticeAfterId?: number;
}

/** Folds one stream event into the partner's state; events about anything else pass through. */
export function applyPartnerEvent(state: PartnerState, event: OpenedRoomEvent, now: number): PartnerUpdate {
  switch (event.type) {
    case "message": {
      // A notice (a timer changed, the chat cleared) is the server's line, not something they wrote.
      if (event.message.mine || event.message.notice) return { state, notice: null };
      // Their message ends whatever they were typing; one that could not be opened names nobody,
      // and an announced name stands whatever an older message says.
      const name = event.message.undecryptable || state.named ? state.name : event.message.sender;
      return { state: { ...state, name, typing: null }, notice: null };
    }
    case "typing": {
      // A name that could not be opened (or a stop, which carries none) keeps the one we know.
      const name = event.typing && event.name && !state.named ? event.name : state.name;
      const typing = event.typing ? { name: name ?? partnerName(state), until: now + event.expiresInMs } : null;
      return { state: { ...state, name, typing }, notice: null };
    }
    case "name":
      return event.mine || event.name === null ? { state, notice: null } : applyName(state, event.name);
    case "presence":
      return applyPresence(state, { here: event.here, lastSeen: event.lastSeen });
    case "partner-arrived": {
      // Repeated on every (re)connection: the same arrival is not news twice.
      if (state.arrival?.after === event.after) return { state, notice: null };
      const next: PartnerState = { ...state, arrival: { after: event.after, announced: false } };
      return announceArrival(next) ?? { state: next, notice: null };
    }
    case "partner-left":
      return {
        state: { presence: { here: false, lastSeen: null }, name: null, typing: null, left: true, arrival: null },
        // Someone who never opened the room (a visit without the link's key gives its seat back
        // at once) did not leave anything: the seat count says all there is.
        notice: neverCame(state) ? null : `${partnerName(state)} left the room. The link now lets one new person in.`,
      };
    default:
      return { state, notice: null };
  }
}

/** The partner announced a name: on arrival (the join is said now, with it) or a rename. */
function applyName(state: PartnerState, name: string): PartnerUpdate {
  if (state.named && state.name === name) return { state, notice: null };
  const { joinPending: _pending, ...rest } = state;
  const next: PartnerState = { ...rest, name, named: true };
  if (state.joinPending) return { state: next, notice: `${name} joined` };
  // A name seen only on their messages was never theirs to change: this is the first they announce.
  const notice = state.named && state.name !== null ? renameNotice(state.name, name) : null;
  return { state: next, notice };
}

/** Nobody has had the room open on the other side since this page knows (or since the last Leave). */
function neverCame(state: PartnerState): boolean {
  return state.presence !== null && !state.presence.here && state.presence.lastSeen === null;
}

/**
 * Tells the viewer about a newcomer once they are here (a visit that gave its seat back never is).
 * One still choosing their name is "Someone new" here, and "<name> joined" once they announce it.
 */
function announceArrival(state: PartnerState): PartnerUpdate | null {
  const { arrival } = state;
  if (!arrival || arrival.announced || !state.presence?.here) return null;
  const name = state.named ? state.name : null;
  return {
    state: { ...state, arrival: { ...arrival, announced: true }, ...(name === null ? { joinPending: true } : {}) },
    notice: newcomerNotice(name),
    noticeAfterId: arrival.after,
  };
}

function applyPresence(state: PartnerState, presence: Presence): PartnerUpdate {
  const before = state.presence;
  const next: PartnerState = {
    ...state,
    presence,
    typing: presence.here ? state.typing : null,
    left: presence.here ? false : state.left,
  };
  const arrived = announceArrival(next);
  if (arrived) return arrived;
  if (!before || before.here === presence.here) return { state: next, notice: null };
  // Nameless so far (a private room's newcomer choosing theirs): the join is said with the name.
  if (presence.here && state.name === null) return { state: { ...next, joinPending: true }, notice: null };
  if (presence.here) return { state: next, notice: `${partnerName(state)} joined` };
  if (state.joinPending && !state.arrival?.announced) {
    // Gone before they said who they were: neither their coming nor their going was news.
    const { joinPending: _pending, ...rest } = next;
    return { state: rest, notice: null };
  }
  // After Leave, their stream closing is the same departure, already announced.
  return { state: next, notice: state.left ? null : `${partnerName(state)} left` };
}

/** Clears a typing indicator whose signal was never followed by a stop (a vanished client). */
export function expireTyping(state: PartnerState, now: number): PartnerState {
  return state.typing && state.typing.until <= now ? { ...state, typing: null } : state;
}

export type PartnerStatus =
  | { kind: "unknown" }
  | { kind: "online" }
  /** Here, and still choosing the name the viewer will see. */
  | { kind: "joining" }
  | { kind: "unconfirmed" }
  | { kind: "last-seen"; at: number }
  | { kind: "waiting" };

/**
 * The partner as shown while this browser reconnects: it cannot hear them leave or stop typing,
 * so it claims neither that they are online nor that they are typing until the stream is back.
 */
export function whileReconnecting(state: PartnerState): PartnerState {
  return { ...state, typing: null, stale: true };
}

/** The header's one word on the other person. */
export function partnerStatus(state: PartnerState): PartnerStatus {
  const { presence } = state;
  if (!presence) return { kind: "unknown" };
  if (presence.here && state.stale) return { kind: "unconfirmed" };
  if (presence.here) return state.joinPending ? { kind: "joining" } : { kind: "online" };
  if (state.left || presence.lastSeen === null) return { kind: "waiting" };
  return { kind: "last-seen", at: presence.lastSeen };
}
