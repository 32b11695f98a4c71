import type { ChatMessage, RoomEvent } from "~/lib/room-events";
import type { RoomStreamEvent } from "../rooms/room-event-stream";
import type { StoredMessage } from "../rooms/types";

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

export function toRoomEvent(event: RoomStreamEvent, viewerSeat: number): RoomEvent {
  switch (event.type) {
    case "message":
      return { type: "message", message: toChatMessage(event.message, viewerSeat) };
    case "members":
      return { type: "members", count: event.count };
    default:
      return { type: event.type };
  }
}
