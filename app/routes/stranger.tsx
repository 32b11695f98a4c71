import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useNavigate, useSearchParams } from "@remix-run/react";
import { skipToken } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { isPreviewRequest } from "~/.server/room-gate";
import { newRoomToken } from "~/.server/room-token";
import { getServices } from "~/.server/services";
import type { StrangerCounts, StrangerState } from "~/lib/match-events";
import { trpc } from "~/lib/trpc";

export const meta: MetaFunction = () => [
  { title: "Ephemera · talk to a stranger" },
  { name: "robots", content: "noindex, nofollow" },
];

/**
 * Gives the browser its visitor cookie (who is queued, who is in which chat: nothing else), so
 * the queue's procedures and stream know who is asking. Bots and prefetches get none.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const headers = new Headers({ "Cache-Control": "no-store" });
  if (isPreviewRequest(request)) return json({ preview: true }, { headers });
  const { cookies } = getServices();
  if (!(await cookies.readVisitor(request.headers.get("cookie")))) {
    headers.append("Set-Cookie", await cookies.serializeVisitor(newRoomToken(), new URL(request.url)));
  }
  return json({ preview: false }, { headers });
}

const NOTICES: Record<string, string> = {
  left: "Stranger left. Start a new chat whenever you like.",
  disconnected: "Stranger disconnected. Start a new chat whenever you like.",
  ended: "You ended the chat. Every message in it is gone.",
};

export default function Stranger() {
  const { preview } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  // Arriving from "Talk to a stranger" starts the search; after a chat, the visitor chooses.
  const notice = NOTICES[params.get("after") ?? ""] ?? null;
  const [state, setState] = useState<StrangerState | null>(null);
  const [counts, setCounts] = useState<StrangerCounts | null>(null);
  const find = trpc.match.find.useMutation({ onSuccess: setState });
  const cancel = trpc.match.cancel.useMutation({ onSuccess: setState });
  const started = useRef(false);

  trpc.match.events.useSubscription(preview ? skipToken : {}, {
    onData: ({ data }) => {
      if (data.type === "state") setState(data.state);
      else setCounts({ online: data.online, waiting: data.waiting });
    },
  });

  useEffect(() => {
    if (state?.status === "matched") navigate(`/room/${state.roomId}`, { replace: true });
  }, [state, navigate]);

  useEffect(() => {
    if (preview || started.current || state === null || notice) return;
    started.current = true;
    if (state.status === "idle") find.mutate({});
  }, [preview, state, notice, find]);

  const searching = state?.status === "waiting" || find.isPending;
  return (
    <main className="mx-auto flex min-h-dvh max-w-md flex-col justify-center gap-6 px-5 py-10">
      <header className="space-y-2">
        <h1 className="text-3xl font-bold tracking-tight text-emerald-400">{">"} talk to a stranger</h1>
        <p className="text-zinc-400">
          One random person, one conversation. Nobody learns who you are; the chat destroys itself.
        </p>
      </header>
      {notice && !searching && (
        <div role="alert" className="rounded border border-amber-500/50 bg-amber-500/10 px-4 py-3 text-sm text-amber-100">
          {notice}
        </div>
      )}
      <section className="space-y-4 rounded-lg border border-zinc-800 bg-zinc-900/60 p-5" aria-live="polite">
        {searching ? (
          <p role="status" className="flex items-center gap-3 text-zinc-100">
            <span aria-hidden className="inline-block size-3 animate-ping rounded-full bg-emerald-400" />
            Looking for someone to talk to…
          </p>
        ) : (
          <p className="text-zinc-300">{state === null ? "Connecting…" : "Not searching."}</p>
        )}
        {counts && (
          <p className="text-sm text-zinc-400" data-testid="stranger-counts">
            {counts.online === 1 ? "1 person online" : `${counts.online} people online`} · {counts.waiting} waiting
          </p>
        )}
        {find.error && (
          <p role="alert" className="text-sm text-red-400">
            Could not start a search: {find.error.message}
          </p>
        )}
        <div className="flex gap-2">
          {searching ? (
            <button
              type="button"
              onClick={() => cancel.mutate({})}
              className="flex-1 rounded border border-zinc-600 px-4 py-2 font-bold text-zinc-100 hover:bg-zinc-800 focus-visible:outline-2 focus-visible:outline-emerald-400"
            >
              Cancel
            </button>
          ) : (
            <button
              type="button"
              disabled={state === null}
              onClick={() => find.mutate({})}
              className="flex-1 rounded bg-emerald-500 px-4 py-2 font-bold text-zinc-950 hover:bg-emerald-400 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-emerald-300 disabled:opacity-60"
            >
              New chat
            </button>
          )}
        </div>
      </section>
      <Link to="/" className="text-sm text-zinc-400 underline hover:text-zinc-200">
        Back to private rooms
      </Link>
    </main>
  );
}
