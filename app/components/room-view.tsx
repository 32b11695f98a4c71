import { useNavigate } from "@remix-run/react";
import { useCallback, useEffect, useRef } from "react";
import { useRoomDeadline } from "~/hooks/use-countdown";
import { useDisplayName } from "~/hooks/use-display-name";
import { useRoom, type RoomEnding } from "~/hooks/use-room";
import { useToast } from "~/hooks/use-toast";
import { useUnreadTitle } from "~/hooks/use-unread-title";
import { copyText } from "~/lib/copy-text";
import { trpc } from "~/lib/trpc";
import { Composer } from "./composer";
import { MessageLog } from "./message-log";
import { RoomHeader } from "./room-header";

export function RoomView({ roomId, initialTtlMs }: { roomId: string; initialTtlMs: number }) {
  const navigate = useNavigate();
  const ended = useRef(false);
  const leave = useCallback(
    (ending: RoomEnding) => {
      if (ended.current) return;
      ended.current = true;
      navigate(ending === "destroyed" ? "/?destroyed=true" : "/?expired=true", { replace: true });
    },
    [navigate],
  );

  const { conversation, memberCount, connection, send, retry } = useRoom(roomId, leave);
  const deadline = useRoomDeadline(roomId, initialTtlMs);
  useEffect(() => {
    // The server's `expired` event normally arrives first; this covers a stream that is down.
    const timer = setTimeout(() => leave("expired"), Math.max(0, deadline - Date.now()));
    return () => clearTimeout(timer);
  }, [deadline, leave]);

  const [name] = useDisplayName();
  const toast = useToast();
  useUnreadTitle(conversation.confirmed.filter((message) => !message.mine).length);
  const destroy = trpc.room.destroy.useMutation({ onSuccess: () => leave("destroyed") });

  async function onCopyLink() {
    const copied = await copyText(window.location.href);
    toast.show(copied ? "Link copied" : "Could not copy: copy the address bar instead");
  }

  return (
    <main className="mx-auto flex h-dvh max-w-3xl flex-col">
      <RoomHeader
        deadline={deadline}
        memberCount={memberCount}
        destroying={destroy.isPending}
        onCopyLink={onCopyLink}
        onDestroy={() => destroy.mutate({ roomId })}
      />
      {connection === "reconnecting" && (
        <p role="status" className="bg-amber-500/15 px-4 py-1.5 text-sm text-amber-200">
          Reconnecting… messages sent meanwhile will arrive once you are back.
        </p>
      )}
      {destroy.error && (
        <p role="alert" className="bg-red-500/15 px-4 py-1.5 text-sm text-red-300">
          Could not destroy the room: {destroy.error.message}
        </p>
      )}
      <MessageLog conversation={conversation} onRetry={retry} />
      <Composer name={name} onSend={(text) => send(text, name)} />
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
