import { useNavigate } from "@remix-run/react";
import { useCallback, useState } from "react";
import type { ChatMessage, RoomEvent } from "~/lib/room-events";
import { trpc } from "~/lib/trpc";

export type RoomEnding = "destroyed" | "expired";

/** Inserts by id, keeping order and dropping repeats, so a replayed event never shows twice. */
export function mergeMessage(messages: ChatMessage[], incoming: ChatMessage): ChatMessage[] {
  const last = messages[messages.length - 1];
  if (!last || last.id < incoming.id) return [...messages, incoming];
  if (messages.some((message) => message.id === incoming.id)) return messages;
  return [...messages, incoming].sort((a, b) => a.id - b.id);
}

/**
 * The room's single event stream: history and live messages, then the room's end. The tRPC link
 * resumes from the last event id after a drop, so the stream carries each event once.
 */
export function useRoomEvents(roomId: string, onEnd: (ending: RoomEnding) => void) {
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const navigate = useNavigate();

  const onEvent = useCallback(
    (event: RoomEvent) => {
      if (event.type === "message") setMessages((current) => mergeMessage(current, event.message));
      else onEnd(event.type);
    },
    [onEnd],
  );

  const subscription = trpc.room.events.useSubscription(
    { roomId },
    {
      onData: (tracked) => onEvent(tracked.data),
      onError: (error) => {
        // The room vanished while we were away (reconnect after it ended).
        if (error.data?.code === "NOT_FOUND") navigate("/?error=room-not-found", { replace: true });
      },
    },
  );

  const addMessage = useCallback(
    (message: ChatMessage) => setMessages((current) => mergeMessage(current, message)),
    [],
  );

  return { messages, addMessage, connection: subscription.status };
}
