import { nanoid } from "nanoid";
import { useCallback, useEffect, useRef, type Dispatch, type SetStateAction } from "react";
import { addPending, confirm, updatePending, type PendingMessage } from "~/lib/conversation";
import type { ReplayGuard } from "~/lib/message-opener";
import { Outbox, type OutboxItem, type OutgoingImage } from "~/lib/outbox";
import type { ChatMessage } from "~/lib/chat-message";
import type { SentMessage } from "~/shared/room-events";
import { updateConversation, type RoomViewState } from "~/lib/room-view-state";
import { trpc } from "~/lib/trpc";

/** A request the network swallowed without an answer is given up and sent again (same clientId). */
const SEND_TIMEOUT_MS = 15_000;

export interface OutboxCrypto {
  /** The item's name and text (or image) sealed with the room key, bound to its clientId. */
  seal: (item: OutboxItem) => Promise<string>;
  /** Seals and uploads an image's bytes (before the message announcing it is sent). */
  upload: (image: OutgoingImage) => Promise<void>;
  /** The stream's replay check, told about each own message as the server stored it. */
  replays: ReplayGuard;
}

/** Sealing failed (no key, a payload the partner could not open): not something a retry fixes. */
class SealError extends Error {
  constructor(cause: unknown) {
    super("it could not be encrypted", { cause });
    this.name = "SealError";
  }
}

/** The stored message as its sender shows it: the sender already knows what is inside. */
export function sentMessage(item: OutboxItem, stored: SentMessage): ChatMessage {
  const message: ChatMessage = {
    id: stored.id,
    sender: item.sender,
    text: item.text,
    timestamp: stored.timestamp,
    mine: true,
    clientId: item.clientId,
  };
  if (item.image) {
    const { id, width, height, bytes, type } = item.image;
    message.image = { id, width, height, bytes, type };
  }
  message.status = stored.status;
  if (stored.expiresInMs !== undefined) message.expiresAt = Date.now() + stored.expiresInMs;
  return message;
}

/**
 * Own sends through an ordered outbox: optimistic bubbles at once, one request at a time, queued
 * while offline and resent when the network is back, failed only when the server says no. Each
 * attempt seals the message afresh (a new IV) under the same clientId, which the server dedupes by.
 */
export function useOutbox(roomId: string, setState: Dispatch<SetStateAction<RoomViewState>>, crypto: OutboxCrypto) {
  const utils = trpc.useUtils();
  const outbox = useRef<Outbox<SentMessage>>();
  const sealing = useRef(crypto);
  sealing.current = crypto;

  useEffect(() => {
    async function send(item: OutboxItem): Promise<SentMessage> {
      // The picture first: a message must never point at an image the partner cannot fetch.
      if (item.image && !item.image.uploaded) {
        await sealing.current.upload(item.image);
        item.image.uploaded = true;
      }
      let ciphertext: string;
      try {
        ciphertext = await sealing.current.seal(item);
      } catch (error) {
        throw new SealError(error);
      }
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), SEND_TIMEOUT_MS);
      try {
        return await utils.client.message.send.mutate(
          { roomId, ciphertext, clientId: item.clientId },
          { signal: controller.signal },
        );
      } finally {
        clearTimeout(timer);
      }
    }
    const change = (update: Parameters<typeof updateConversation>[1]) =>
      setState((current) => updateConversation(current, update));
    const box = new Outbox<SentMessage>({
      send,
      onSent: (item, stored) => {
        if (!stored) return;
        sealing.current.replays.accept(true, stored.clientId, stored.id);
        change((conversation) => confirm(conversation, sentMessage(item, stored)));
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

  /** A text (or, with `image`, a picture) from this browser: shown at once, sent in order. */
  const send = useCallback(
    (text: string, sender: string, image?: OutgoingImage, clientId = nanoid()) => {
      setState((current) =>
        updateConversation(current, (conversation) =>
          addPending(conversation, { clientId, text, sender, timestamp: Date.now(), status: "sending", image }),
        ),
      );
      outbox.current?.enqueue({ clientId, text, sender, image });
    },
    [setState],
  );

  const retry = useCallback(
    ({ clientId, text, sender, image }: PendingMessage) => {
      setState((current) =>
        updateConversation(current, (conversation) =>
          updatePending(conversation, clientId, { status: "sending", error: undefined }),
        ),
      );
      outbox.current?.enqueue({ clientId, text, sender, image });
    },
    [setState],
  );

  /** The stream showed this own message stored: the outbox must not send it (again). */
  const settle = useCallback((clientId: string) => outbox.current?.settle(clientId), []);
  /** The stream is live again, so the network is back: retry now rather than after the backoff. */
  const wake = useCallback(() => outbox.current?.wake(), []);

  return { send, retry, settle, wake };
}
