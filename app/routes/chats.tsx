import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, isRouteErrorResponse, useLoaderData, useOutlet, useRouteError } from "@remix-run/react";
import { chatsPageData } from "~/.server/chat-pages";
import { SECONDARY_BUTTON, TEXT_LINK } from "~/components/account-page";
import { ChatList } from "~/components/chat-list";
import { ChatNotificationsButton } from "~/components/chat-notifications-button";
import { NewChatSearch } from "~/components/new-chat-search";
import { useChatList } from "~/hooks/use-chat-list";

export const meta: MetaFunction = () => [
  { title: "Ephemera · chats" },
  { name: "robots", content: "noindex, nofollow" },
];

/** Signed in only: anyone else goes to sign in first, and comes back here. */
export async function loader({ request }: LoaderFunctionArgs) {
  const data = await chatsPageData(request);
  return json(data, { headers: { "Cache-Control": "no-store" } });
}

/**
 * The chats list, and the frame of every chat page: the tab's one stream of chat events lives
 * here, so it stays open from the list into a chat and back, keeping this person "online" for
 * their partners and the list current. A chat (the child route) takes the whole page.
 */
export default function Chats() {
  const { me } = useLoaderData<typeof loader>();
  const outlet = useOutlet();
  const { rows, error, retry } = useChatList();
  if (outlet) return outlet;
  return (
    <main className="mx-auto flex min-h-dvh max-w-xl flex-col gap-8 px-5 py-8">
      <header className="space-y-3">
        <div className="flex items-center justify-between gap-3">
          <Link
            to="/"
            className="text-sm text-emerald-400 underline-offset-4 hover:underline focus-visible:outline-2 focus-visible:outline-emerald-300"
          >
            {">"} ephemera
          </Link>
          <ChatNotificationsButton />
        </div>
        <h1 className="text-3xl font-bold tracking-tight text-emerald-400">Chats</h1>
        <p className="text-sm text-zinc-400">
          Signed in as <strong className="text-zinc-100">{me.username}</strong>. End-to-end encrypted; each message
          disappears after its chat’s timer.
        </p>
      </header>
      <NewChatSearch me={me.username} />
      <section aria-labelledby="your-chats" className="space-y-3">
        <h2 id="your-chats" className="font-bold text-zinc-200">
          Your chats
        </h2>
        {rows ? (
          <ChatList rows={rows} />
        ) : error ? (
          <div role="alert" className="flex items-center justify-between gap-3 text-sm text-red-300">
            <p>Could not load your chats: {error}</p>
            <button type="button" onClick={retry} className={SECONDARY_BUTTON}>
              Try again
            </button>
          </div>
        ) : (
          <p role="status" className="text-sm text-zinc-400">
            Loading your chats…
          </p>
        )}
      </section>
    </main>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  const detail = isRouteErrorResponse(error) && typeof error.data === "string" ? error.data : null;
  return (
    <main className="mx-auto flex min-h-dvh max-w-md flex-col justify-center gap-4 p-6">
      <h1 className="text-xl font-bold text-amber-300">Your chats could not be shown</h1>
      <p role="alert" className="text-zinc-300">
        {detail ?? "Something went wrong on our side. Nothing you wrote was kept."}
      </p>
      <a className={TEXT_LINK} href="/">
        Back to the lobby
      </a>
    </main>
  );
}
