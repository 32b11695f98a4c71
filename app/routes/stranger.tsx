import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useNavigate, useSearchParams } from "@remix-run/react";
import { skipToken } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { isPreviewRequest } from "~/.server/room-gate";
import { newRoomToken } from "~/.server/room-token";
import { getServices } from "~/.server/services";
import { LAST_PARTNER_NOTE, SearchStatus } from "~/components/search-status";
import type { StrangerCounts, StrangerState } from "~/shared/match-events";
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
  left: "Stranger left. Every message in the chat is gone.",
  disconnected: "Stranger disconnected. Every message in the chat is gone.",
  ended: "You ended the chat. Every message in it is gone.",
  expired: "The chat's time ran out. Every message in it is gone.",
  gone: "The chat ended while you were away. Every message in it is gone.",
  lost: "The server lost this chat before its time was up; nobody ended it. Every message in it is gone.",
};

const BUTTON =
  "flex-1 rounded px-4 py-2.5 font-bold focus-visible:outline-2 focus-visible:outline-offset-2 disabled:opacity-60";

export default function Stranger() {
  const { preview } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  // Arriving from "Talk to a stranger" starts the search; after a chat, the visitor chooses.
  const notice = NOTICES[params.get("after") ?? ""] ?? null;
  const [noticeShown, setNoticeShown] = useState(true);
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

  // The match arrives twice (the find's answer and the stream): a second navigation would abort
  // the first one's page load after the server gave the seat to it, and the room would be full.
  const opened = useRef<string | null>(null);
  useEffect(() => {
    if (state?.status !== "matched" || opened.current === state.roomId) return;
    opened.current = state.roomId;
    navigate(`/room/${state.roomId}`, { replace: true });
  }, [state, navigate]);

  useEffect(() => {
    if (preview || started.current || state === null || notice) return;
    started.current = true;
    if (state.status === "idle") find.mutate({});
  }, [preview, state, notice, find]);

  function onNewChat() {
    started.current = true;
    setNoticeShown(false);
    find.mutate({});
  }

  const searching = (state?.status === "waiting" || find.isPending) && !cancel.isPending;
  const phase = preview
    ? "preview"
    : state === null
      ? "connecting"
      : state.status === "matched"
        ? "matched"
        : searching
          ? "searching"
          : "idle";
  const lastPartnerWaiting = searching && state?.status === "waiting" && state.lastPartnerUntil !== undefined;
  return (
    <main className="mx-auto flex min-h-dvh max-w-md flex-col justify-center gap-6 px-5 py-10">
      <header className="space-y-2">
        <h1 className="text-3xl font-bold tracking-tight text-emerald-400">
          {">"} talk to a stranger<span className="motion-safe:animate-pulse">_</span>
        </h1>
        <p className="text-zinc-400">
          One random person, one conversation. Nobody learns who you are; the chat destroys itself.
        </p>
      </header>

      {notice && noticeShown && !searching && (
        <div
          role="alert"
          className="rounded border border-amber-500/50 bg-amber-500/10 px-4 py-3 text-sm text-amber-100"
        >
          {notice}
        </div>
      )}

      <section aria-label="Search" className="space-y-5 rounded-lg border border-zinc-800 bg-zinc-900/60 p-5">
        <SearchStatus phase={phase} counts={counts} note={lastPartnerWaiting ? LAST_PARTNER_NOTE : null} />
        {find.error && (
          <p role="alert" className="text-sm text-red-400">
            Could not start a search: {find.error.message}
          </p>
        )}
        {!preview && (
          <div className="flex gap-2">
            {searching ? (
              <button
                type="button"
                onClick={() => cancel.mutate({})}
                className={`${BUTTON} border border-zinc-600 text-zinc-100 hover:bg-zinc-800 focus-visible:outline-emerald-400`}
              >
                Cancel
              </button>
            ) : (
              <button
                type="button"
                disabled={state === null || state.status === "matched" || cancel.isPending}
                onClick={onNewChat}
                className={`${BUTTON} bg-emerald-500 text-zinc-950 hover:bg-emerald-400 focus-visible:outline-emerald-300`}
              >
                New chat
              </button>
            )}
          </div>
        )}
      </section>

      <ul className="list-inside list-disc space-y-1 text-sm leading-relaxed text-zinc-400 marker:text-emerald-500">
        <li>You both appear as “Stranger”: names are never shared.</li>
        <li>Your two browsers agree a key the server never sees; compare the safety code to be sure.</li>
        <li>Skip ends the chat for both of you and finds someone new.</li>
        <li>When a chat ends, every message in it is deleted from the server.</li>
      </ul>

      <Link to="/" className="text-sm text-zinc-400 underline hover:text-zinc-200">
        Back to private rooms
      </Link>
    </main>
  );
}
