import type { ChatNoticeView, DeliveryStatus, RoomEvent, SealedMessage, SentMessage } from "~/shared/room-events";
import type { RoomStreamEvent } from "../rooms/room-event-stream";
import type { ChatNotice, SeatReceipts, StoredMessage } from "../rooms/types";

export function toSealedMessage(message: StoredMessage, viewerSeat: number): SealedMessage {
  const sealed: SealedMessage = {
    id: message.id,
    ciphertext: message.ciphertext,
    // Every reader needs it: the ciphertext is bound to it, so a copy moved elsewhere fails to open.
    clientId: message.clientId ?? "",
    timestamp: message.timestamp,
    mine: message.author === viewerSeat,
  };
  if (message.expiresAt !== undefined) sealed.expiresInMs = timeLeft(message.expiresAt);
  if (message.notice) sealed.notice = toNoticeView(message.notice);
  return sealed;
}

/** The sender's answer to its own send: no ciphertext (it has it), so it stays a few dozen bytes. */
export function toSentMessage(message: StoredMessage): SentMessage {
  const sent: SentMessage = {
    id: message.id,
    clientId: message.clientId ?? "",
    timestamp: message.timestamp,
    status: "sent",
  };
  if (message.expiresAt !== undefined) sent.expiresInMs = timeLeft(message.expiresAt);
  return sent;
}

/** A duration as of this copy, so a browser whose clock is off still removes it on time. */
function timeLeft(expiresAt: number): number {
  return Math.max(0, expiresAt - Date.now());
}

function toNoticeView(notice: ChatNotice): ChatNoticeView {
  return notice.kind === "timer" ? { kind: "timer", timerSeconds: notice.timerMs / 1000 } : { kind: "cleared" };
}

/** An own message's status, from the other seats' receipt watermarks. */
export function deliveryStatus(messageId: number, viewerSeat: number, receipts: SeatReceipts[]): DeliveryStatus {
  let status: DeliveryStatus = "sent";
  for (const seat of receipts) {
    if (seat.seat === viewerSeat) continue;
    if (seat.seen >= messageId) return "seen";
    if (seat.delivered >= messageId) status = "delivered";
  }
  return status;
}

export function toRoomEvent(event: RoomStreamEvent, viewerSeat: number): RoomEvent {
  const { id: _id, ...rest } = event;
  if (rest.type === "message") return { type: "message", message: toSealedMessage(rest.message, viewerSeat) };
  return rest;
}
