import { useNavigate } from "@remix-run/react";
import { useCallback, useEffect, useRef } from "react";
import { formatCountdown, useCountdown } from "~/hooks/use-countdown";
import { useDisplayName } from "~/hooks/use-display-name";
import { useRoomEvents, type RoomEnding } from "~/hooks/use-room-events";
import { trpc } from "~/lib/trpc";
import { Composer } from "./composer";
import { DestroyDialog } from "./destroy-dialog";
import { MessageLog } from "./message-log";

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

  const { messages, addMessage, connection } = useRoomEvents(roomId, leave);
  const secondsLeft = useCountdown(roomId, initialTtlMs);
  useEffect(() => {
    // The server's `expired` event normally arrives first; this covers a stream that is down.
    if (secondsLeft === 0) leave("expired");
  }, [secondsLeft, leave]);
  const [name] = useDisplayName();

  const send = trpc.message.send.useMutation({ onSuccess: addMessage });
  const destroy = trpc.room.destroy.useMutation({ onSuccess: () => leave("destroyed") });

  return (
    <main className="mx-auto flex h-dvh max-w-3xl flex-col">
      <header className="flex flex-wrap items-center gap-3 border-b border-zinc-800 px-4 py-3">
        <h1 className="font-bold text-emerald-400">{">"} ephemera</h1>
        <span
          role="timer"
          aria-label="Time until the room self-destructs"
          className={secondsLeft <= 60 ? "text-red-400" : "text-zinc-300"}
        >
          {formatCountdown(secondsLeft)}
        </span>
        <div className="ml-auto">
          <DestroyDialog pending={destroy.isPending} onConfirm={() => destroy.mutate({ roomId })} />
        </div>
      </header>

      {connection === "connecting" && (
        <p role="status" className="bg-amber-500/10 px-4 py-1 text-sm text-amber-200">
          Reconnecting…
        </p>
      )}

      <MessageLog messages={messages} />

      <Composer
        disabled={!name}
        sending={send.isPending}
        error={send.error?.message}
        onSend={(text) => send.mutateAsync({ roomId, text, sender: name }).then(() => undefined)}
      />
    </main>
  );
}
