import { useNavigate } from "@remix-run/react";
import { useCallback, useEffect, useRef } from "react";
import { useRoomDeadline } from "~/hooks/use-countdown";
import { useDisplayName } from "~/hooks/use-display-name";
import { useReceipts } from "~/hooks/use-receipts";
import { useRoom, type RoomEnding } from "~/hooks/use-room";
import { useToast } from "~/hooks/use-toast";
import { useTypingSignal } from "~/hooks/use-typing-signal";
import { useUnreadTitle } from "~/hooks/use-unread-title";
import { latestPartnerId } from "~/lib/conversation";
import { copyText } from "~/lib/copy-text";
import { trpc } from "~/lib/trpc";
import { Composer } from "./composer";
import { MessageLog } from "./message-log";
import { RoomHeader } from "./room-header";
import { TypingIndicator } from "./typing-indicator";

export function RoomView({ roomId, initialTtlMs }: { roomId: string; initialTtlMs: number }) {
  const navigate = useNavigate();
  const ended = useRef(false);
  const end = useCallback(
    (ending: RoomEnding) => {
      if (ended.current) return;
      ended.current = true;
      navigate(`/?${ending}=true`, { replace: true });
    },
    [navigate],
  );

  const { state, connection, send, retry } = useRoom(roomId, end);
  const { conversation, partner } = state;
  const deadline = useRoomDeadline(roomId, initialTtlMs);
  useEffect(() => {
    // The server's `expired` event normally arrives first; this covers a stream that is down.
    const timer = setTimeout(() => end("expired"), Math.max(0, deadline - Date.now()));
    return () => clearTimeout(timer);
  }, [deadline, end]);

  const [name] = useDisplayName();
  // Set from the moment Destroy or Leave is confirmed: best-effort requests would race it and 404.
  const closing = useRef(false);
  const typing = useTypingSignal(roomId, name, closing);
  const onSeen = useReceipts(roomId, latestPartnerId(conversation), connection === "live", closing);
  const toast = useToast();
  useUnreadTitle(conversation.confirmed.filter((message) => !message.mine).length);
  const reopen = () => {
    closing.current = false;
  };
  const destroy = trpc.room.destroy.useMutation({ onSuccess: () => end("destroyed"), onError: reopen });
  const leave = trpc.room.leave.useMutation({ onSuccess: () => end("left"), onError: reopen });

  async function onCopyLink() {
    const copied = await copyText(window.location.href);
    toast.show(copied ? "Link copied" : "Could not copy: copy the address bar instead");
  }

  function onSend(text: string) {
    typing.onSent();
    send(text, name);
  }

  return (
    <main className="mx-auto flex h-dvh max-w-3xl flex-col">
      <RoomHeader
        deadline={deadline}
        memberCount={state.memberCount}
        partner={partner}
        destroying={destroy.isPending}
        leaving={leave.isPending}
        onCopyLink={onCopyLink}
        onDestroy={() => {
          closing.current = true;
          destroy.mutate({ roomId });
        }}
        onLeave={() => {
          closing.current = true;
          leave.mutate({ roomId });
        }}
      />
      {connection === "reconnecting" && (
        <p role="status" className="bg-amber-500/15 px-4 py-1.5 text-sm text-amber-200">
          Reconnecting… messages sent meanwhile will arrive once you are back.
        </p>
      )}
      {(destroy.error ?? leave.error) && (
        <p role="alert" className="bg-red-500/15 px-4 py-1.5 text-sm text-red-300">
          {destroy.error ? `Could not destroy the room: ${destroy.error.message}` : `Could not leave the room: ${leave.error?.message}`}
        </p>
      )}
      <MessageLog conversation={conversation} receipts={state.receipts} onRetry={retry} onSeen={onSeen} />
      <TypingIndicator name={partner.typing?.name ?? null} />
      <Composer name={name} onSend={onSend} onTextChange={typing.onInput} />
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
