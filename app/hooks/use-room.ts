import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { RoomKind } from "~/shared/room-kinds";
import { RoomEventOpener, type OpenerDeps } from "~/lib/message-opener";
import type { RoomEnding } from "~/lib/room-ending";
import type { RoomEvent } from "~/shared/room-events";
import { nextExpiry } from "~/lib/conversation";
import {
  applyRoomEvent,
  expireMessages,
  expirePartnerTyping,
  initialRoomViewState,
  type RoomViewState,
} from "~/lib/room-view-state";
import { unknownPartner, whileReconnecting } from "~/lib/partner";
import { maskStrangerName, strangerRoomViewState } from "~/lib/stranger";
import { trpc } from "~/lib/trpc";
import { useOutbox, type OutboxCrypto } from "./use-outbox";

export type ConnectionState = "connecting" | "live" | "reconnecting";

/** Clears a typing indicator a little after its expiry, so a timer firing early cannot miss it. */
const TYPING_EXPIRY_SLACK_MS = 50;

/** How the room's sealed traffic is opened and sealed: with the room's keys (see RoomView). */
export type RoomCrypto = Required<OpenerDeps> & Omit<OutboxCrypto, "replays">;

/**
 * Everything live about one room: its single event stream (history, messages, seats, the
 * partner's presence, typing and receipts, the end), the outbox of own sends, and the connection
 * state. The tRPC link resumes the stream from its last event id after a drop, so each event
 * arrives once; the partner's state is re-sent on every (re)connection. Every event is opened in
 * the order it arrived (messages and typing names are sealed) before the page shows it. In a
 * stranger chat the partner is "Stranger", whatever name their browser sealed. In a direct chat
 * the partner is known by `partnerName` from the start, and each message leaves the screen at its
 * own expiry.
 */
export function useRoom(
  roomId: string,
  kind: RoomKind,
  onEnd: (ending: RoomEnding) => void,
  crypto: RoomCrypto,
  partnerName?: string,
) {
  const stranger = kind === "match";
  // Whether they have the chat open is the header's business in a direct chat, not the log's.
  const announce = kind !== "direct";
  const [state, setState] = useState<RoomViewState>(() =>
    stranger
      ? strangerRoomViewState
      : partnerName
        ? { ...initialRoomViewState, partner: { ...unknownPartner, name: partnerName } }
        : initialRoomViewState,
  );
  const everLive = useRef(false);
  const restart = useRef<() => void>();
  const restartTimer = useRef<ReturnType<typeof setTimeout>>();
  // The opener lives as long as the page; it reads whatever keys the room holds at the time.
  const keys = useRef(crypto);
  keys.current = crypto;
  const [opener] = useState(
    () =>
      new RoomEventOpener(
        {
          openMessage: (message) => keys.current.openMessage(message),
          openName: (sealed) => keys.current.openName(sealed),
          openMemberName: (sealed) => keys.current.openMemberName(sealed),
          onPartnerKeys: (publicKeys) => keys.current.onPartnerKeys(publicKeys),
        },
        (opened) => {
          const event = stranger ? maskStrangerName(opened) : opened;
          setState((current) => applyRoomEvent(current, event, Date.now(), announce));
        },
      ),
  );
  const { send, retry, settle, wake } = useOutbox(roomId, setState, {
    seal: (item) => keys.current.seal(item),
    upload: (image) => keys.current.upload(image),
    replays: opener.replays,
  });

  const onEvent = useCallback(
    (event: RoomEvent) => {
      if (event.type === "destroyed" || event.type === "expired" || event.type === "left") {
        onEnd(event.type === "destroyed" && event.reason === "lost" ? "lost" : event.type);
        return;
      }
      // The clientId travels in the clear: the outbox can stop resending before the message is opened.
      if (event.type === "message" && event.message.mine) settle(event.message.clientId);
      opener.push(event);
    },
    [onEnd, settle, opener],
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
          onEnd("gone");
          return;
        }
        // The seat is no longer this browser's (given up in another tab): retrying cannot help.
        if (error.data?.code === "UNAUTHORIZED") {
          onEnd("left");
          return;
        }
        // Anything else (the store briefly unreachable) is temporary: start over in a moment.
        // The fresh stream replays the stored messages, and repeats are dropped by id.
        clearTimeout(restartTimer.current);
        restartTimer.current = setTimeout(() => restart.current?.(), 2000);
      },
    },
  );
  restart.current = subscription.reset;
  useEffect(() => () => clearTimeout(restartTimer.current), []);
  const connection: ConnectionState =
    subscription.status === "pending"
      ? "live"
      : everLive.current || subscription.status === "error"
        ? "reconnecting"
        : "connecting";

  useEffect(() => {
    if (connection === "live") wake();
  }, [connection, wake]);

  const typingUntil = state.partner.typing?.until;
  useEffect(() => {
    if (typingUntil === undefined) return;
    const timer = setTimeout(
      () => setState((current) => expirePartnerTyping(current, Date.now())),
      Math.max(0, typingUntil - Date.now()) + TYPING_EXPIRY_SLACK_MS,
    );
    return () => clearTimeout(timer);
  }, [typingUntil]);

  const expiry = nextExpiry(state.conversation);
  useEffect(() => {
    if (expiry === null) return;
    // Each message leaves at its own time; the next one to go sets the timer.
    const timer = setTimeout(
      () => setState((current) => expireMessages(current, Date.now())),
      Math.max(0, expiry - Date.now()),
    );
    return () => clearTimeout(timer);
  }, [expiry]);

  // The "Reconnecting…" banner and an "online" partner must not be shown together.
  const shown = useMemo(
    () => (connection === "reconnecting" ? { ...state, partner: whileReconnecting(state.partner) } : state),
    [connection, state],
  );

  return { state: shown, connection, send, retry };
}
