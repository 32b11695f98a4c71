import { nanoid } from "nanoid";
import { Link, PrefetchPageLinks, useLocation } from "@remix-run/react";
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import type { RoomKind } from "~/shared/room-kinds";
import { useRoomDeadline } from "~/hooks/use-countdown";
import { useReceipts } from "~/hooks/use-receipts";
import { useRoom, type RoomCrypto } from "~/hooks/use-room";
import { useRoomExit } from "~/hooks/use-room-exit";
import { RoomImagesContext, useRoomImages } from "~/hooks/use-room-images";
import { useMemberName } from "~/hooks/use-member-name";
import { useRoomKeys } from "~/hooks/use-room-keys";
import { useStrangerChat } from "~/hooks/use-stranger-chat";
import { useToast } from "~/hooks/use-toast";
import { useTypingSignal } from "~/hooks/use-typing-signal";
import { useUnreadTitle } from "~/hooks/use-unread-title";
import { latestPartnerId } from "~/lib/conversation";
import { copyText } from "~/lib/copy-text";
import { chatNoticeText } from "~/lib/direct-chat";
import { ImagePrepareError, prepareImage } from "~/lib/image-prepare";
import { uploadImage } from "~/lib/image-transfer";
import { DecryptError } from "~/lib/crypto/seal";
import { openMemberName, openMessage, openName, sealMessage, sealName } from "~/lib/crypto/message-payload";
import type { RoomKey } from "~/lib/crypto/room-key";
import type { RoomEnding } from "~/lib/room-ending";
import { roomLink, showInAddressBar } from "~/lib/room-link";
import { STRANGER_NAME, strangerDisconnected } from "~/lib/stranger";
import { trpc } from "~/lib/trpc";
import { waitingForPartner } from "~/lib/waiting-room";
import type { ChatMessage } from "~/lib/chat-message";
import type { ChatNoticeView } from "~/shared/room-events";
import { Composer } from "./composer";
import { DismissibleAlert } from "./dismissible-alert";
import { MessageLog } from "./message-log";
import { NamePrompt } from "./name-prompt";
import { PrivateRoomActions } from "./private-room-actions";
import { RoomHeader } from "./room-header";
import { SafetyCode } from "./safety-code";
import { StrangerActions } from "./stranger-actions";
import { StrangerGone } from "./stranger-gone";
import { TypingIndicator } from "./typing-indicator";
import { WaitingInvitation } from "./waiting-invitation";

/** Long enough to read a sentence twice; the banner also has its own close button. */
const IMAGE_ERROR_MS = 8000;
const STRANGER_LABELS = { mine: "You", partner: STRANGER_NAME };
const EMPTY_TEXT = {
  private: "No messages yet. Copy the link, send it to one person, and say hello.",
  match: "You are talking to a random stranger. Neither of you sees the other’s name. Say hello!",
  direct: "No messages yet. Messages here disappear after the chat’s timer.",
};

/** What a direct chat brings to the room view: its people, its own actions, its own way of ending. */
export interface DirectChatParts {
  /** This account's username: the name this browser seals on its messages. */
  me: string;
  partner: string;
  /** The header's controls (the timer, Clear chat, Block, Chat info). */
  actions: ReactNode;
  /** Shown in place of the composer while nothing may be sent (blocked, a key change to confirm). */
  instead: ReactNode | null;
  /** The chat is gone (its last message expired) or its stream cannot go on: the page opens it again. */
  onEnd: (ending: RoomEnding) => void;
  /** The newest timer notice in the log: the chat's timer as either person last set it. */
  onTimer: (timerSeconds: number) => void;
  /** What went wrong with the chat's own actions. */
  error: string | null;
}

interface RoomViewProps {
  roomId: string;
  /** When the room ends, on this browser's clock, from the page's data; null for a direct chat. */
  initialDeadline: number | null;
  /** "match": a chat with a stranger, where nobody's name is shown and there is no link to share. */
  roomKind: RoomKind;
  /** The key from the link's fragment (or a direct chat's); a stranger chat without one agrees one with the partner. */
  initialKey: RoomKey | null;
  /** Given for a direct chat (`roomKind` "direct"). */
  direct?: DirectChatParts;
}

/** What the composer says while nothing can be sent in a stranger chat. */
const NOT_SECURED = {
  securing: "Securing the chat…",
  failed: "This chat could not be secured: the stranger’s browser started over. Skip to meet someone else.",
} as const;

/** The newest notice that set a direct chat's timer (the log is in id order). */
function findLastTimer(messages: readonly ChatMessage[]): ChatMessage | undefined {
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    if (messages[index]?.notice?.kind === "timer") return messages[index];
  }
  return undefined;
}

/** Opens with the room's key, or fails as anything sealed with another key would. */
function withKey<T>(roomKey: RoomKey | null, open: (key: CryptoKey) => Promise<T>): Promise<T> {
  return roomKey ? open(roomKey.key) : Promise.reject(new DecryptError("There is no room key yet"));
}

export function RoomView({ roomId, initialDeadline, roomKind, initialKey, direct }: RoomViewProps) {
  const stranger = roomKind === "match";
  const exit = useRoomExit(roomKind);
  const { end, closing } = exit;
  const keys = useRoomKeys(roomId, roomKind, initialKey);
  const { current: roomKey, latest: latestKey, onPartnerKeys } = keys;
  const images = useRoomImages(roomId, roomKey);
  const crypto = useMemo<RoomCrypto>(
    () => ({
      // The ref, not the render's key: a stranger chat's key arrives between two stream events.
      openMessage: (sealed) =>
        withKey(latestKey.current, (key) => openMessage(key, roomId, sealed.clientId, sealed.ciphertext)),
      openName: (sealed) => withKey(latestKey.current, (key) => openName(key, roomId, sealed)),
      openMemberName: (sealed) => withKey(latestKey.current, (key) => openMemberName(key, roomId, sealed)),
      onPartnerKeys,
      seal: async ({ clientId, sender, text, image }) => {
        if (!roomKey) throw new Error("The chat is not secured yet");
        if (image) {
          const { id, width, height, bytes, type } = image;
          return sealMessage(roomKey.key, roomId, clientId, {
            kind: "image",
            name: sender,
            image: { id, width, height, bytes, type },
          });
        }
        return sealMessage(roomKey.key, roomId, clientId, { kind: "text", name: sender, text });
      },
      upload: async (image) => {
        if (!roomKey) throw new Error("The chat is not secured yet");
        await uploadImage(roomId, roomKey.key, image);
      },
    }),
    [latestKey, onPartnerKeys, roomId, roomKey],
  );
  const { state, connection, send, retry } = useRoom(roomId, roomKind, direct?.onEnd ?? end, crypto, direct?.partner);
  const { conversation, partner } = state;
  const deadline = useRoomDeadline(roomId, initialDeadline);
  useEffect(() => {
    if (deadline === null) return;
    // The server's `expired` event normally arrives first; this covers a stream that is down.
    const timer = setTimeout(() => end("expired"), Math.max(0, deadline - Date.now()));
    return () => clearTimeout(timer);
  }, [deadline, end]);

  // The lobby says so when it sends the room's creator here: they chose their name there.
  const location = useLocation();
  const chosenInLobby = (location.state as { nameChosen?: unknown } | null)?.nameChosen === true;
  const member = useMemberName(roomId, roomKind, roomKey, state.ownName, chosenInLobby);
  // Strangers are not told each other's names: this browser sends "Stranger" instead. In a direct
  // chat the name is the account's.
  const name = stranger ? STRANGER_NAME : direct ? direct.me : member.name;
  const sealTypingName = useCallback(
    (typist: string) => (roomKey ? sealName(roomKey.key, roomId, typist) : null),
    [roomKey, roomId],
  );
  const typing = useTypingSignal(roomId, name, closing, sealTypingName);
  const onSeen = useReceipts(roomId, latestPartnerId(conversation), connection === "live", closing);
  const toast = useToast();
  useUnreadTitle(conversation.confirmed.filter((message) => !message.mine && !message.notice).length);
  const timerNotice = findLastTimer(conversation.confirmed);
  const onTimer = direct?.onTimer;
  useEffect(() => {
    if (timerNotice?.notice?.kind === "timer") onTimer?.(timerNotice.notice.timerSeconds);
  }, [timerNotice, onTimer]);
  const [me, partnerUsername] = [direct?.me, direct?.partner];
  const noticeText = useMemo(
    () =>
      me !== undefined && partnerUsername !== undefined
        ? (notice: ChatNoticeView, mine: boolean) => chatNoticeText(notice, mine ? me : partnerUsername)
        : undefined,
    [me, partnerUsername],
  );
  const destroy = trpc.room.destroy.useMutation({ onSuccess: () => end("destroyed"), onError: exit.fail });
  const leave = trpc.room.leave.useMutation({ onSuccess: () => end("left"), onError: exit.fail });
  const chat = useStrangerChat(roomId, exit);
  const gone = stranger && strangerDisconnected(partner);
  const error = destroy.error
    ? `Could not destroy the room: ${destroy.error.message}`
    : leave.error
      ? `Could not leave the room: ${leave.error.message}`
      : (chat.error ?? direct?.error ?? member.error ?? null);

  const [linkHidden, setLinkHidden] = useState(false);
  // A picture that could not be sent is worth a moment's notice, not a banner that stays until the next one.
  const imageError = useToast(IMAGE_ERROR_MS);
  const preparing = useRef(Promise.resolve());

  async function onCopyLink() {
    // From memory: the address bar may no longer show the key (Hide link).
    const copied = roomKey ? await copyText(roomLink(window.location.origin, roomId, roomKey.secret)) : false;
    toast.show(copied ? "Link copied" : "Could not copy the link");
  }

  function onToggleLink() {
    if (linkHidden && roomKey) {
      showInAddressBar(roomId, roomKey.secret);
      setLinkHidden(false);
      toast.show("The link is back in the address bar: reloading this tab unlocks the room again.");
      return;
    }
    showInAddressBar(roomId, null);
    setLinkHidden(true);
    toast.show("Link hidden. Copy link still works, but reloading this tab can no longer unlock the room.");
  }

  function onSend(text: string) {
    // Under the draft's id: the server drops a typing signal for it that arrives after the message.
    send(text, name, undefined, typing.onSent());
  }

  function onAttach(file: File) {
    imageError.dismiss();
    // One at a time: a small picture chosen right after a large one must not overtake it.
    preparing.current = preparing.current.then(async () => {
      try {
        const prepared = await prepareImage(file);
        const id = nanoid();
        // The sender shows their own picture from memory: no download of what they just sent.
        images.remember(id, prepared.blob);
        send("", name, { ...prepared, id });
      } catch (caught) {
        imageError.show(
          caught instanceof ImagePrepareError ? caught.message : "This image could not be prepared for sending",
        );
      }
    });
  }

  const inviting = roomKey !== null && waitingForPartner(roomKind, state);
  return (
    <main className="mx-auto flex h-dvh max-w-3xl flex-col">
      {/* Every way out of a room leads to the lobby or the stranger page: have their code ready. */}
      <PrefetchPageLinks page={stranger ? "/stranger" : direct ? "/chats" : "/"} />
      <RoomHeader
        deadline={deadline}
        partner={partner}
        stranger={stranger}
        partnerUsername={direct?.partner}
        aside={
          stranger ? (
            <SafetyCode code={keys.safetyCode} />
          ) : (
            direct && (
              <Link
                to="/chats"
                className="text-xs text-emerald-400 underline-offset-4 hover:underline focus-visible:outline-2 focus-visible:outline-emerald-300"
              >
                All chats
              </Link>
            )
          )
        }
      >
        {stranger ? (
          <StrangerActions pending={chat.pending} onSkip={chat.skip} onEndChat={chat.endChat} />
        ) : direct ? (
          direct.actions
        ) : (
          <PrivateRoomActions
            memberCount={state.memberCount}
            destroying={destroy.isPending}
            leaving={leave.isPending}
            onCopyLink={onCopyLink}
            linkHidden={linkHidden}
            onToggleLink={onToggleLink}
            onDestroy={() => {
              exit.begin();
              destroy.mutate({ roomId });
            }}
            onLeave={() => {
              exit.begin();
              leave.mutate({ roomId });
            }}
          />
        )}
      </RoomHeader>
      {connection === "reconnecting" && (
        <p role="status" className="bg-amber-500/15 px-4 py-1.5 text-sm text-amber-200">
          Reconnecting… messages sent meanwhile will arrive once you are back.
        </p>
      )}
      {error && (
        <p role="alert" className="bg-red-500/15 px-4 py-1.5 text-sm text-red-300">
          {error}
        </p>
      )}
      {imageError.message && !error && (
        <DismissibleAlert
          message={imageError.message}
          dismissLabel="Dismiss the image error"
          onDismiss={imageError.dismiss}
        />
      )}
      {inviting && <WaitingInvitation link={roomLink(window.location.origin, roomId, roomKey.secret)} />}
      <RoomImagesContext.Provider value={images}>
        <MessageLog
          conversation={conversation}
          receipts={state.receipts}
          onRetry={retry}
          onSeen={onSeen}
          labels={stranger ? STRANGER_LABELS : undefined}
          // The invitation says it all while it shows: the log's own hint would repeat it.
          emptyText={inviting ? "" : EMPTY_TEXT[roomKind]}
          noticeText={noticeText}
        />
      </RoomImagesContext.Provider>
      {gone ? (
        <StrangerGone pending={chat.pending} onNewChat={chat.newChat} />
      ) : direct?.instead ? (
        <>
          <TypingIndicator name={partner.typing?.name ?? null} />
          {direct.instead}
        </>
      ) : member.prompt && member.suggestion ? (
        <>
          <TypingIndicator name={partner.typing?.name ?? null} />
          <NamePrompt
            key={member.prompt}
            initial={member.suggestion}
            renaming={member.prompt === "rename"}
            pending={member.pending}
            onAccept={member.accept}
            onCancel={member.cancel}
          />
        </>
      ) : (
        <>
          <TypingIndicator name={partner.typing?.name ?? null} />
          <Composer
            name={name}
            onSend={onSend}
            onTextChange={typing.onInput}
            onAttach={onAttach}
            onRename={roomKind === "private" ? member.rename : undefined}
            disabledReason={
              keys.status !== "secured" ? NOT_SECURED[keys.status] : member.loading ? "Opening the room…" : null
            }
          />
        </>
      )}
      <div aria-live="polite" className="pointer-events-none fixed inset-x-0 bottom-24 flex justify-center">
        {toast.message && (
          <p role="status" className="rounded bg-zinc-100 px-4 py-2 text-sm font-bold text-zinc-900 shadow-lg">
            {toast.message}
          </p>
        )}
      </div>
    </main>
  );
}
