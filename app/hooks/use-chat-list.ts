import { useNavigate } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";
import { applyChatEvent, chatRows, newMessageFrom, type ChatRow } from "~/lib/chat-list";
import { notifyNewMessage } from "~/lib/chat-notifications";
import { trpc } from "~/lib/trpc";

/** A stream the server ended with an error is started again after this long. */
const RESTART_MS = 2000;

/**
 * The account's chats, kept up to date over the tab's one `chat.events` stream (which also tells
 * partners this person is here). `rows` is null until the list first arrives. After the stream reconnects
 * the list is read again: events sent while it was down are not replayed.
 */
export function useChatList(): { rows: ChatRow[] | null; error: string | null; retry: () => void } {
  const utils = trpc.useUtils();
  const navigate = useNavigate();
  const list = trpc.chat.list.useQuery(undefined, { staleTime: Infinity });
  const [rows, setRows] = useState<ChatRow[] | null>(null);
  const latest = useRef(rows);
  const started = useRef(false);
  const restartTimer = useRef<ReturnType<typeof setTimeout>>();

  useEffect(() => {
    if (!list.data) return;
    latest.current = chatRows(list.data.chats, list.dataUpdatedAt);
    setRows(latest.current);
  }, [list.data, list.dataUpdatedAt]);

  const subscription = trpc.chat.events.useSubscription(undefined, {
    onStarted: () => {
      if (started.current) void utils.chat.list.invalidate();
      started.current = true;
    },
    onData: (event) => {
      const from = newMessageFrom(latest.current ?? [], event);
      if (from) notifyNewMessage(from, () => navigate(`/chats/${encodeURIComponent(from)}`));
      if (!latest.current) return;
      latest.current = applyChatEvent(latest.current, event, Date.now());
      setRows(latest.current);
    },
    onError: (error) => {
      // Signed out (here or elsewhere): the chats are not this browser's to show any more.
      if (error.data?.code === "UNAUTHORIZED") {
        navigate(`/signin?next=${encodeURIComponent(window.location.pathname)}`, { replace: true });
        return;
      }
      clearTimeout(restartTimer.current);
      restartTimer.current = setTimeout(() => restart.current?.(), RESTART_MS);
    },
  });
  const restart = useRef(subscription.reset);
  restart.current = subscription.reset;
  useEffect(() => () => clearTimeout(restartTimer.current), []);

  return { rows, error: list.error?.message ?? null, retry: () => void list.refetch() };
}
