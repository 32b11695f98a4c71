import {
  addNotice,
  clearUpTo,
  confirm,
  dropExpired,
  emptyConversation,
  markLost,
  type Conversation,
} from "./conversation";
import { applyPartnerEvent, expireTyping, unknownPartner, type PartnerState } from "./partner";
import { noReceipts, raiseWatermarks, type Watermarks } from "./receipt-status";
import type { OpenedRoomEvent } from "./chat-message";

/** Everything the room page shows that the stream can change. */
export interface RoomViewState {
  conversation: Conversation;
  partner: PartnerState;
  /** How far the partner has got through this viewer's messages. */
  receipts: Watermarks;
  /** Seats taken, null until the stream says. */
  memberCount: number | null;
  /**
   * The name this viewer announced in the room (any of their tabs): undefined until the stream's
   * state has arrived, null when they have announced none yet (a private room asks for one).
   */
  ownName?: string | null;
}

export const initialRoomViewState: RoomViewState = {
  conversation: emptyConversation,
  partner: unknownPartner,
  receipts: noReceipts,
  memberCount: null,
};

/**
 * One stream event folded into the page's state; the end of the room is the caller's business.
 * `announce: false` keeps the partner's comings and goings out of the log (a direct chat, where
 * the header says whether they are here and opening the chat is not news).
 */
export function applyRoomEvent(
  state: RoomViewState,
  event: OpenedRoomEvent,
  now: number,
  announce = true,
): RoomViewState {
  let next = state;
  if (event.type === "message") next = { ...next, conversation: confirm(next.conversation, event.message) };
  else if (event.type === "cleared")
    next = updateConversation(next, (conversation) => clearUpTo(conversation, event.upTo));
  else if (event.type === "lost")
    next = updateConversation(next, (conversation) => markLost(conversation, event.after, event.before));
  else if (event.type === "members") {
    next = next.memberCount === event.count ? next : { ...next, memberCount: event.count };
    // The stream's state names every seat before it counts them: no name so far means none.
    if (next.ownName === undefined) next = { ...next, ownName: null };
  } else if (event.type === "name" && event.mine && event.name !== null && event.name !== next.ownName)
    next = { ...next, ownName: event.name };
  else if (event.type === "receipts") {
    const receipts = raiseWatermarks(next.receipts, event);
    if (receipts !== next.receipts) next = { ...next, receipts };
  }
  const { state: partner, notice, noticeAfterId } = applyPartnerEvent(next.partner, event, now);
  if (partner !== next.partner) next = { ...next, partner };
  if (notice && announce) next = { ...next, conversation: addNotice(next.conversation, notice, noticeAfterId) };
  return next;
}

/** Direct chats: the messages whose time is up at `now` leave the screen. */
export function expireMessages(state: RoomViewState, now: number): RoomViewState {
  return updateConversation(state, (conversation) => dropExpired(conversation, now));
}

export function expirePartnerTyping(state: RoomViewState, now: number): RoomViewState {
  const partner = expireTyping(state.partner, now);
  return partner === state.partner ? state : { ...state, partner };
}

export function updateConversation(
  state: RoomViewState,
  change: (conversation: Conversation) => Conversation,
): RoomViewState {
  const conversation = change(state.conversation);
  return conversation === state.conversation ? state : { ...state, conversation };
}
