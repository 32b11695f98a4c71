import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import type { ClientLoaderFunctionArgs } from "@remix-run/react";
import { useLoaderData, useNavigate, useSearchParams } from "@remix-run/react";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { accountFromRequest } from "~/.server/account-session";
import { RefreshIcon } from "~/components/icons";
import { LobbyAccountBar } from "~/components/lobby-account-bar";
import { OnlineCount } from "~/components/online-count";
import { useDisplayName } from "~/hooks/use-display-name";
import { keyCheck } from "~/lib/crypto/key-check";
import { generateRoomKey } from "~/lib/crypto/room-key";
import { randomName } from "~/lib/identity";
import { loadRememberedTtl, rememberTtl } from "~/lib/remembered-ttl";
import { DEFAULT_TTL_SECONDS, SENDER_MAX_LENGTH, TTL_CHOICES } from "~/shared/limits";
import { roomPath } from "~/lib/room-link";
import { trpc } from "~/lib/trpc";

export const meta: MetaFunction = () => [{ title: "Ephemera · private chat that destroys itself" }];

/** Who is signed in, if anyone: rooms and strangers need no account, the lobby only says so. */
export async function loader({ request }: LoaderFunctionArgs) {
  const account = await accountFromRequest(request);
  // Private per browser: a shared cache must not show one person's name to another.
  return json({ username: account?.username ?? null }, { headers: { "Cache-Control": "private, no-store" } });
}

/**
 * The server's answer, asked when the lobby opens. Having a client loader at all keeps a room's
 * PrefetchPageLinks to the lobby's code: a prefetch of this no-store data would be a request
 * thrown away, and who is signed in must be asked on arrival anyway.
 */
export const clientLoader = ({ serverLoader }: ClientLoaderFunctionArgs) => serverLoader<typeof loader>();

const NOTICES: Record<string, string> = {
  "room-not-found": "That room does not exist or has already ended.",
  "room-lost": "The server lost this room before its time was up; nobody destroyed it. Every message in it is gone.",
  "room-full": "That room already has two people in it. Ask for a new link.",
  destroyed: "The room was destroyed. Every message in it is gone.",
  expired: "The room's time ran out. Every message in it is gone.",
  left: "You left the room. Its messages stay with the other person until the room ends, then they are deleted.",
  "account-deleted": "Your account is deleted. The server holds nothing of it any more.",
};

function noticeFor(params: URLSearchParams): string | null {
  if (params.get("destroyed") === "true") return NOTICES.destroyed ?? null;
  if (params.get("expired") === "true") return NOTICES.expired ?? null;
  if (params.get("left") === "true") return NOTICES.left ?? null;
  if (params.get("account") === "deleted") return NOTICES["account-deleted"] ?? null;
  const error = params.get("error");
  return error ? (NOTICES[error] ?? "Something went wrong. Please try again.") : null;
}

const SHORT_LABELS: Record<number, string> = { 300: "5 min", 600: "10 min", 3600: "1 hour", 86_400: "24 hours" };

export default function Lobby() {
  const { username } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const notice = noticeFor(params);
  const navigate = useNavigate();
  const [name, setName] = useDisplayName();
  const [ttlSeconds, setTtlSeconds] = useState(DEFAULT_TTL_SECONDS);
  // Read after mount: the server's page, and the first render that must match it, show the default.
  useEffect(() => {
    const remembered = loadRememberedTtl();
    if (remembered !== null) setTtlSeconds(remembered);
  }, []);

  useEffect(() => {
    // A room link's redirect here (room full, room gone) keeps the link's fragment, its key:
    // the address bar and the history entry should not hold on to it.
    if (window.location.hash) {
      window.history.replaceState(window.history.state, "", window.location.pathname + window.location.search);
    }
  }, []);
  // The room's key is made here, in the browser, and travels only in the link's fragment.
  const secret = useRef<string | null>(null);
  const [keyError, setKeyError] = useState<string | null>(null);
  const create = trpc.room.create.useMutation({
    onSuccess: ({ roomId }) => {
      // The room asks whoever arrives by a link for a name; the creator has just chosen theirs.
      if (secret.current) navigate(`${roomPath(roomId)}#${secret.current}`, { state: { nameChosen: true } });
    },
  });

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (!name.trim()) setName(randomName());
    setKeyError(null);
    let check: string;
    try {
      secret.current = (await generateRoomKey()).secret;
      // Stored with the room, so a visitor's browser can tell a link with the wrong key at once.
      check = await keyCheck(secret.current);
    } catch {
      setKeyError("This browser cannot encrypt here: open Ephemera over https.");
      return;
    }
    create.mutate({ ttlSeconds, keyCheck: check });
  }

  return (
    <main className="mx-auto flex min-h-dvh max-w-md flex-col justify-center gap-6 px-5 py-10">
      <header className="space-y-2">
        <h1 className="text-3xl font-bold tracking-tight text-emerald-400">
          {">"} ephemera<span className="animate-pulse">_</span>
        </h1>
        <p className="text-zinc-400">A private room for two. When the timer ends, so does every word.</p>
      </header>

      <LobbyAccountBar username={username} />

      {notice && (
        <div
          role="alert"
          className="rounded border border-amber-500/50 bg-amber-500/10 px-4 py-3 text-sm text-amber-100"
        >
          {notice}
        </div>
      )}

      <form onSubmit={onSubmit} className="space-y-5 rounded-lg border border-zinc-800 bg-zinc-900/60 p-5">
        <div className="space-y-1.5">
          <label htmlFor="display-name" className="text-sm text-zinc-400">
            Your name
          </label>
          <div className="flex gap-2">
            <input
              id="display-name"
              value={name}
              onChange={(event) => setName(event.target.value)}
              maxLength={SENDER_MAX_LENGTH}
              autoComplete="off"
              spellCheck={false}
              className="min-w-0 flex-1 rounded border border-zinc-700 bg-zinc-950 px-3 py-2 text-zinc-100 focus:border-emerald-500 focus:outline-none"
            />
            <button
              type="button"
              onClick={() => setName(randomName())}
              aria-label="Pick a new random name"
              title="Pick a new random name"
              className="flex min-w-11 items-center justify-center rounded border border-zinc-700 px-3 text-zinc-300 hover:bg-zinc-800 focus-visible:outline-2 focus-visible:outline-emerald-400"
            >
              <RefreshIcon />
            </button>
          </div>
          <p className="text-xs text-zinc-400">Only the other person sees it. It stays in this browser.</p>
        </div>

        <fieldset className="space-y-1.5">
          <legend className="text-sm text-zinc-400">Self-destruct after</legend>
          <div className="grid grid-cols-4 gap-1 rounded border border-zinc-700 bg-zinc-950 p-1">
            {TTL_CHOICES.map((choice) => (
              <label
                key={choice.seconds}
                className="cursor-pointer rounded px-1 py-1.5 text-center text-sm text-zinc-300 has-[:checked]:bg-emerald-500 has-[:checked]:font-bold has-[:checked]:text-zinc-950 has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-emerald-300"
              >
                <input
                  type="radio"
                  name="ttl"
                  value={choice.seconds}
                  checked={ttlSeconds === choice.seconds}
                  onChange={() => {
                    setTtlSeconds(choice.seconds);
                    rememberTtl(choice.seconds);
                  }}
                  aria-label={choice.label}
                  className="sr-only"
                />
                {SHORT_LABELS[choice.seconds] ?? choice.label}
              </label>
            ))}
          </div>
        </fieldset>

        <button
          type="submit"
          disabled={create.isPending}
          className="w-full rounded bg-emerald-500 px-4 py-2.5 font-bold text-zinc-950 hover:bg-emerald-400 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-emerald-300 disabled:opacity-60"
        >
          {create.isPending ? "Creating…" : "Create room"}
        </button>
        {(create.error ?? keyError) && (
          <p role="alert" className="text-sm text-red-400">
            Could not create a room: {create.error?.message ?? keyError}
          </p>
        )}
      </form>

      <section aria-labelledby="stranger-heading" className="space-y-3">
        <h2 id="stranger-heading" className="flex items-center gap-3 text-sm text-zinc-400">
          <span aria-hidden="true" className="h-px flex-1 bg-zinc-800" />
          No one to invite?
          <span aria-hidden="true" className="h-px flex-1 bg-zinc-800" />
        </h2>
        <button
          type="button"
          onClick={() => navigate("/stranger")}
          className="w-full rounded border border-emerald-500/60 px-4 py-2.5 font-bold text-emerald-300 hover:bg-emerald-500/10 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-emerald-300"
        >
          Talk to a stranger
        </button>
        <OnlineCount />
      </section>

      <section aria-labelledby="data-heading" className="space-y-1 text-sm leading-relaxed text-zinc-400">
        <h2 id="data-heading" className="font-bold text-zinc-400">
          What happens to your data
        </h2>
        <p>
          Messages and names are end-to-end encrypted: your browser makes the room’s key and puts it in the link, after
          the “#”, a part browsers never send to a server. The server only ever holds text it cannot read.
        </p>
        <p>
          Nothing is kept after the room ends. When the timer runs out or either of you presses “Destroy now”, every
          message is deleted from the server. There is no history and there are no third-party scripts or trackers; your
          name lives only in this browser. An account is optional: its password never leaves your browser.
        </p>
      </section>
    </main>
  );
}
