import type { MetaFunction } from "@remix-run/node";
import { useNavigate, useSearchParams } from "@remix-run/react";
import { useState, type FormEvent } from "react";
import { useDisplayName } from "~/hooks/use-display-name";
import { DEFAULT_TTL_SECONDS, SENDER_MAX_LENGTH, TTL_CHOICES } from "~/lib/limits";
import { trpc } from "~/lib/trpc";

export const meta: MetaFunction = () => [{ title: "Ephemera · private chat that destroys itself" }];

const NOTICES: Record<string, string> = {
  "room-not-found": "That room does not exist or has already ended.",
  "room-full": "That room already has two people in it.",
  destroyed: "The room was destroyed. Every message in it is gone.",
  expired: "The room's time ran out. Every message in it is gone.",
};

function noticeFor(params: URLSearchParams): string | null {
  if (params.get("destroyed") === "true") return NOTICES.destroyed ?? null;
  if (params.get("expired") === "true") return NOTICES.expired ?? null;
  const error = params.get("error");
  return error ? (NOTICES[error] ?? "Something went wrong. Please try again.") : null;
}

export default function Lobby() {
  const [params] = useSearchParams();
  const notice = noticeFor(params);
  const navigate = useNavigate();
  const [name, setName] = useDisplayName();
  const [ttlSeconds, setTtlSeconds] = useState(DEFAULT_TTL_SECONDS);
  const create = trpc.room.create.useMutation({
    onSuccess: ({ roomId }) => navigate(`/room/${roomId}`),
  });

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    create.mutate({ ttlSeconds });
  }

  return (
    <main className="mx-auto flex min-h-dvh max-w-md flex-col justify-center gap-6 p-6">
      <header className="space-y-1">
        <h1 className="text-2xl font-bold text-emerald-400">{">"} ephemera</h1>
        <p className="text-sm text-zinc-400">A private room for two that destroys itself.</p>
      </header>

      {notice && (
        <div role="alert" className="rounded border border-amber-500/50 bg-amber-500/10 p-3 text-sm text-amber-200">
          {notice}
        </div>
      )}

      <form onSubmit={onSubmit} className="space-y-4 rounded border border-zinc-800 bg-zinc-900/60 p-4">
        <label className="block space-y-1 text-sm">
          <span className="text-zinc-400">Your name</span>
          <input
            value={name}
            onChange={(event) => setName(event.target.value)}
            maxLength={SENDER_MAX_LENGTH}
            className="w-full rounded border border-zinc-700 bg-zinc-950 px-3 py-2 text-zinc-100"
          />
        </label>
        <label className="block space-y-1 text-sm">
          <span className="text-zinc-400">Self-destruct after</span>
          <select
            value={ttlSeconds}
            onChange={(event) => setTtlSeconds(Number(event.target.value))}
            className="w-full rounded border border-zinc-700 bg-zinc-950 px-3 py-2 text-zinc-100"
          >
            {TTL_CHOICES.map((choice) => (
              <option key={choice.seconds} value={choice.seconds}>
                {choice.label}
              </option>
            ))}
          </select>
        </label>
        <button
          type="submit"
          disabled={create.isPending}
          className="w-full rounded bg-emerald-500 px-4 py-2 font-bold text-zinc-950 hover:bg-emerald-400 disabled:opacity-60"
        >
          {create.isPending ? "Creating…" : "Create room"}
        </button>
        {create.error && (
          <p role="alert" className="text-sm text-red-400">
            Could not create a room: {create.error.message}
          </p>
        )}
      </form>

      <p className="text-xs leading-relaxed text-zinc-500">
        Nothing is kept after the room ends: when its timer runs out or either of you destroys it,
        every message is deleted from the server. There are no accounts and no history.
      </p>
    </main>
  );
}
