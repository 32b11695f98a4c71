import { useNavigate } from "@remix-run/react";
import { nanoid } from "nanoid";
import { useCallback, useRef, useState } from "react";
import { addPending, confirm, emptyConversation, updatePending, type Conversation } from "~/lib/conversation";
import type { RoomEvent } from "~/lib/room-events";
import { trpc } from "~/lib/trpc";

export type RoomEnding = "destroyed" | "expired";
export type ConnectionState = "connecting" | "live" | "reconnecting";

/**
 * Everything live about one room: its single event stream (history, messages, seats, the end),
 * optimistic sends with retry, and the connection state. The tRPC link resumes the stream from
 * its last event id after a drop, so each event arrives once.
 */
export function useRoom(roomId: string, onEnd: (ending: RoomEnding) => void) {
  const navigate = useNavigate();
  const [conversation, setConversation] = useState<Conversation>(emptyConversation);
  const [memberCount, setMemberCount] = useState<number | null>(null);
  const everLive = useRef(false);
  const restart = useRef<() => void>();

  const onEvent = useCallback(
    (event: RoomEvent) => {
      if (event.type === "message") setConversation((current) => confirm(current, event.message));
      else if (event.type === "members") setMemberCount(event.count);
      else onEnd(event.type);
    },
    [onEnd],
  );

  const subscription = trpc.room.events.useSubscription(
    { roomId },
    {
      onData: (tracked) => {
        everLive.current = true;
        onEvent(tracked.data);
      },
      onError: (error) => {
        // The room ended while we were disconnected: nothing is left to resume.
        if (error.data?.code === "NOT_FOUND") {
          navigate("/?error=room-not-found", { replace: true });
          return;
        }
        // Anything else (the store briefly unreachable) is temporary: start over in a moment.
        // The fresh stream replays the stored messages, and repeats are dropped by id.
        setTimeout(() => restart.current?.(), 2000);
      },
    },
  );
  restart.current = subscription.reset;
  const connection: ConnectionState =
    subscription.status === "pending" ? "live" : everLive.current || subscription.status === "error" ? "reconnecting" : "connecting";

  // mutateAsync settles each call on its own; mutate's per-call callbacks fire only for the latest
  // call, which would leave an earlier failed send stuck at "Sending…" while another is in flight.
  const { mutateAsync: sendMessage } = trpc.message.send.useMutation();
  const deliver = useCallback(
    (clientId: string, text: string, sender: string) => {
      sendMessage({ roomId, text, sender, clientId }).then(
        (message) => setConversation((current) => confirm(current, message)),
        (error: Error) =>
          setConversation((current) => updatePending(current, clientId, { status: "failed", error: error.message })),
      );
    },
    [roomId, sendMessage],
  );

  const send = useCallback(
    (text: string, sender: string) => {
      const clientId = nanoid();
      setConversation((current) =>
        addPending(current, { clientId, text, sender, timestamp: Date.now(), status: "sending" }),
      );
      deliver(clientId, text, sender);
    },
    [deliver],
  );

  const retry = useCallback(
    (clientId: string) => {
      const item = conversation.pending.find((pending) => pending.clientId === clientId);
      if (!item) return;
      setConversation((current) => updatePending(current, clientId, { status: "sending", error: undefined }));
      deliver(clientId, item.text, item.sender);
    },
    [conversation.pending, deliver],
  );

  return { conversation, memberCount, connection, send, retry };
}
