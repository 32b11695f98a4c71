import { nanoid } from "nanoid";
import { useCallback, useEffect, useRef, type Dispatch, type SetStateAction } from "react";
import { addPending, confirm, updatePending, type PendingMessage } from "~/lib/conversation";
import { Outbox, type OutboxItem } from "~/lib/outbox";
import type { ChatMessage } from "~/lib/room-events";
import { updateConversation, type RoomState } from "~/lib/room-state";
import { trpc } from "~/lib/trpc";

/** A request the network swallowed without an answer is given up and sent again (same clientId). */
const SEND_TIMEOUT_MS = 15_000;

/**
 * Own sends through an ordered outbox: optimistic bubbles at once, one request at a time, queued
 * while offline and resent when the network is back, failed only when the server says no.
 */
export function useOutbox(roomId: string, setState: Dispatch<SetStateAction<RoomState>>) {
  const utils = trpc.useUtils();
  const outbox = useRef<Outbox<ChatMessage>>();

  useEffect(() => {
    async function send(item: OutboxItem): Promise<ChatMessage> {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), SEND_TIMEOUT_MS);
      try {
        return await utils.client.message.send.mutate({ roomId, ...item }, { signal: controller.signal });
      } finally {
        clearTimeout(timer);
      }
    }
    const change = (update: Parameters<typeof updateConversation>[1]) =>
      setState((current) => updateConversation(current, update));
    const box = new Outbox<ChatMessage>({
      send,
      onSent: (_item, message) => {
        if (message) change((conversation) => confirm(conversation, message));
      },
      onFailed: (item, error) =>
        change((conversation) =>
          updatePending(conversation, item.clientId, {
            status: "failed",
            error: error instanceof Error ? error.message : undefined,
          }),
        ),
      onStatus: (clientIds, status) => change((conversation) => updatePending(conversation, clientIds, { status })),
    });
    outbox.current = box;
    const onOnline = () => box.wake();
    window.addEventListener("online", onOnline);
    return () => {
      window.removeEventListener("online", onOnline);
      box.dispose();
    };
  }, [roomId, setState, utils]);

  const send = useCallback(
    (text: string, sender: string) => {
      const clientId = nanoid();
      setState((current) =>
        updateConversation(current, (conversation) =>
          addPending(conversation, { clientId, text, sender, timestamp: Date.now(), status: "sending" }),
        ),
      );
      outbox.current?.enqueue({ clientId, text, sender });
    },
    [setState],
  );

  const retry = useCallback(
    ({ clientId, text, sender }: PendingMessage) => {
      setState((current) =>
        updateConversation(current, (conversation) =>
          updatePending(conversation, clientId, { status: "sending", error: undefined }),
        ),
      );
      outbox.current?.enqueue({ clientId, text, sender });
    },
    [setState],
  );

  /** The stream showed this own message stored: the outbox must not send it (again). */
  const settle = useCallback((clientId: string) => outbox.current?.settle(clientId), []);
  /** The stream is live again, so the network is back: retry now rather than after the backoff. */
  const wake = useCallback(() => outbox.current?.wake(), []);

  return { send, retry, settle, wake };
}
