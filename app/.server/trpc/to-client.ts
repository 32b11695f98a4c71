import type { ChatMessage, RoomEvent } from "~/lib/room-events";
import type { RoomStreamEvent } from "../rooms/room-event-stream";
import type { StoredMessage } from "../rooms/types";

export function toChatMessage(message: StoredMessage, viewerSeat: number): ChatMessage {
  return {
    id: message.id,
    sender: message.sender,
    text: message.text,
    timestamp: message.timestamp,
    mine: message.author === viewerSeat,
  };
}

export function toRoomEvent(event: RoomStreamEvent, viewerSeat: number): RoomEvent {
  return event.type === "message"
    ? { type: "message", message: toChatMessage(event.message, viewerSeat) }
    : { type: event.type };
}
