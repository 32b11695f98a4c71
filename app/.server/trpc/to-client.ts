import type { ChatMessage, DeliveryStatus, RoomEvent } from "~/lib/room-events";
import type { RoomStreamEvent } from "../rooms/room-event-stream";
import type { SeatReceipts, StoredMessage } from "../rooms/types";

export function toChatMessage(message: StoredMessage, viewerSeat: number): ChatMessage {
  const mine = message.author === viewerSeat;
  const chat: ChatMessage = {
    id: message.id,
    sender: message.sender,
    text: message.text,
    timestamp: message.timestamp,
    mine,
  };
  if (mine && message.clientId) chat.clientId = message.clientId;
  return chat;
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
  if (rest.type === "message") return { type: "message", message: toChatMessage(rest.message, viewerSeat) };
  return rest;
}
