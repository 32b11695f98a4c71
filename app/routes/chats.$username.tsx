import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import {
  Link,
  isRouteErrorResponse,
  useLoaderData,
  useNavigate,
  useRevalidator,
  useRouteError,
} from "@remix-run/react";
import { useCallback, useEffect, useRef, useState } from "react";
import { chatPageData } from "~/.server/chat-pages";
import { DirectChatActions } from "~/components/direct-chat-actions";
import { KeyChangeWarning } from "~/components/key-change-warning";
import { RoomView, type DirectChatParts } from "~/components/room-view";
import { useAccountClient } from "~/hooks/use-account-client";
import { useChatKey } from "~/hooks/use-chat-key";
import { trpc } from "~/lib/trpc";
import type { ChatOpened } from "~/shared/direct-chats";

export const meta: MetaFunction = () => [
  { title: "Ephemera · chat" },
  { name: "robots", content: "noindex, nofollow" },
];

/** Opens the chat (making it if need be): refused for someone who blocked you, or nobody of that name. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const opened = await chatPageData(request, params.username ?? "");
  return json(opened, { headers: { "Cache-Control": "no-store" } });
}

export default function ChatPage() {
  const opened = useLoaderData<typeof loader>();
  return <DirectChat key={opened.chatId} opened={opened} />;
}

/** A chat that ends again this soon after reopening is not going to work by reopening it again. */
const REOPEN_AGAIN_AFTER_MS = 10_000;

const STATUS_PAGE = "mx-auto flex min-h-dvh max-w-md flex-col justify-center gap-4 p-6";
const BACK_LINK =
  "text-emerald-400 underline underline-offset-4 focus-visible:outline-2 focus-visible:outline-emerald-300";

/**
 * The chat once its key is agreed: the room view, with a direct chat's own controls. When the
 * chat goes (its last message expired) the page opens it again, empty, as the list would.
 */
function DirectChat({ opened }: { opened: ChatOpened }) {
  const partner = opened.partner.username;
  const { state: keys, accept } = useChatKey(opened);
  const [accepting, setAccepting] = useState(false);
  const [timerSeconds, setTimerSeconds] = useState(opened.timerSeconds);
  const [blocked, setBlocked] = useState(opened.blocked === "by-me");
  useEffect(() => {
    setTimerSeconds(opened.timerSeconds);
    setBlocked(opened.blocked === "by-me");
  }, [opened]);

  const setTimer = trpc.chat.setTimer.useMutation({ onSuccess: (_, input) => setTimerSeconds(input.timerSeconds) });
  const clear = trpc.chat.clear.useMutation();
  const block = trpc.chat.block.useMutation({ onSuccess: () => setBlocked(true) });
  const unblock = trpc.chat.unblock.useMutation({ onSuccess: () => setBlocked(false) });
  const error = setTimer.error
    ? `Could not change the timer: ${setTimer.error.message}`
    : clear.error
      ? `Could not clear the chat: ${clear.error.message}`
      : block.error
        ? `Could not block ${partner}: ${block.error.message}`
        : unblock.error
          ? `Could not unblock ${partner}: ${unblock.error.message}`
          : null;

  const { revalidate } = useRevalidator();
  const [generation, setGeneration] = useState(0);
  const [reopening, setReopening] = useState<ChatOpened | null>(null);
  const [stuck, setStuck] = useState(false);
  const lastReopen = useRef(0);
  const current = useRef(opened);
  current.current = opened;
  const onEnd = useCallback(() => {
    if (Date.now() - lastReopen.current < REOPEN_AGAIN_AFTER_MS) {
      setStuck(true);
      return;
    }
    lastReopen.current = Date.now();
    // The stream's end: the log empties now, and the chat comes back with the loader's new data.
    setReopening(current.current);
    setGeneration((count) => count + 1);
    revalidate();
  }, [revalidate]);

  if (stuck) {
    return (
      <main className={STATUS_PAGE}>
        <h1 className="text-xl font-bold text-amber-300">This chat could not be kept open</h1>
        <p role="alert" className="text-zinc-300">
          The server closed it more than once. Try again in a moment.
        </p>
        <Link className={BACK_LINK} to="/chats">
          All chats
        </Link>
      </main>
    );
  }
  if (keys.status === "no-keys") return <NoKeys username={opened.me.username} partner={partner} />;
  if (keys.status === "failed") {
    return (
      <main className={STATUS_PAGE}>
        <h1 className="text-xl font-bold text-amber-300">This chat cannot be encrypted</h1>
        <p role="alert" className="text-zinc-300">
          {partner}’s account keys are not usable in this browser, so nothing could be sent to them safely.
        </p>
        <Link className={BACK_LINK} to="/chats">
          All chats
        </Link>
      </main>
    );
  }
  if (keys.status === "unlocking" || reopening === opened) {
    return (
      <main className={STATUS_PAGE}>
        <p role="status" className="text-zinc-400">
          {keys.status === "unlocking" ? "Unlocking the chat…" : "Opening the chat again…"}
        </p>
      </main>
    );
  }

  const pending = setTimer.isPending || clear.isPending || block.isPending || unblock.isPending;
  const direct: DirectChatParts = {
    me: opened.me.username,
    partner,
    actions: (
      <DirectChatActions
        partner={partner}
        safetyCode={keys.safetyCode}
        timerSeconds={timerSeconds}
        timerChoices={opened.timerChoices}
        onTimer={(seconds) => setTimer.mutate({ chatId: opened.chatId, timerSeconds: seconds })}
        blocked={blocked}
        onBlock={() => block.mutate({ username: partner })}
        onUnblock={() => unblock.mutate({ username: partner })}
        onClear={() => clear.mutate({ chatId: opened.chatId })}
        pending={pending}
      />
    ),
    instead: blocked ? (
      <p
        role="status"
        className="border-t border-zinc-800 px-4 pb-[max(1rem,env(safe-area-inset-bottom))] pt-4 text-center text-sm text-zinc-300"
      >
        You blocked {partner}. Unblock to send messages.
      </p>
    ) : keys.partnerKeys === "changed" ? (
      <KeyChangeWarning
        partner={partner}
        safetyCode={keys.safetyCode}
        pending={accepting}
        onAccept={() => {
          setAccepting(true);
          void accept().finally(() => setAccepting(false));
        }}
      />
    ) : null,
    onEnd,
    onTimer: setTimerSeconds,
    error,
  };
  return (
    <RoomView
      key={`${generation}:${keys.key.secret}`}
      roomId={opened.chatId}
      initialDeadline={null}
      roomKind="direct"
      initialKey={keys.key}
      direct={direct}
    />
  );
}

/**
 * Signed in, but this browser does not hold the account's keys (IndexedDB cleared, or kept by
 * another account signed in since): only the password unwraps them, at sign-in.
 */
function NoKeys({ username, partner }: { username: string; partner: string }) {
  const account = useAccountClient();
  const navigate = useNavigate();
  const [signingOut, setSigningOut] = useState(false);
  const next = `/chats/${encodeURIComponent(partner)}`;
  async function signInAgain() {
    setSigningOut(true);
    try {
      await account.signOut();
    } finally {
      navigate(`/signin?next=${encodeURIComponent(next)}`, { replace: true });
    }
  }
  return (
    <main className={STATUS_PAGE}>
      <h1 className="text-xl font-bold text-amber-300">Sign in again to read this chat</h1>
      <p className="text-zinc-300">
        This browser does not hold the keys of <strong className="text-zinc-100">{username}</strong>, which open your
        chats. Only your password unlocks them: sign out and sign in again here.
      </p>
      <button
        type="button"
        onClick={signInAgain}
        disabled={signingOut}
        className="self-start rounded bg-emerald-500 px-4 py-2.5 font-bold text-zinc-950 hover:bg-emerald-400 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-emerald-300 disabled:opacity-60"
      >
        {signingOut ? "Signing out…" : "Sign in again"}
      </button>
      <Link className={BACK_LINK} to="/chats">
        All chats
      </Link>
    </main>
  );
}

/** Nobody of that name, someone who blocked you, or a bad name: said plainly, with the way back. */
export function ErrorBoundary() {
  const error = useRouteError();
  const response = isRouteErrorResponse(error) ? error : null;
  const detail = response && typeof response.data === "string" ? response.data : null;
  return (
    <main className={STATUS_PAGE}>
      <h1 className="text-xl font-bold text-amber-300">
        {response?.status === 429 ? "Slow down" : "This chat could not be opened"}
      </h1>
      <p role="alert" className="text-zinc-300">
        {detail ?? "Something went wrong on our side. Nothing you wrote was kept."}
      </p>
      <Link className={BACK_LINK} to="/chats">
        All chats
      </Link>
    </main>
  );
}
