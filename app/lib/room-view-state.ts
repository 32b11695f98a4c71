import { addNotice, confirm, emptyConversation, type Conversation } from "./conversation";
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
}

export const initialRoomViewState: RoomViewState = {
  conversation: emptyConversation,
  partner: unknownPartner,
  receipts: noReceipts,
  memberCount: null,
};

/** One stream event folded into the page's state; the end of the room is the caller's business. */
export function applyRoomEvent(state: RoomViewState, event: OpenedRoomEvent, now: number): RoomViewState {
  let next = state;
  if (event.type === "message") next = { ...next, conversation: confirm(next.conversation, event.message) };
  else if (event.type === "members")
    next = next.memberCount === event.count ? next : { ...next, memberCount: event.count };
  else if (event.type === "receipts") {
    const receipts = raiseWatermarks(next.receipts, event);
    if (receipts !== next.receipts) next = { ...next, receipts };
  }
  const { state: partner, notice, noticeAfterId } = applyPartnerEvent(next.partner, event, now);
  if (partner !== next.partner) next = { ...next, partner };
  if (notice) next = { ...next, conversation: addNotice(next.conversation, notice, noticeAfterId) };
  return next;
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
