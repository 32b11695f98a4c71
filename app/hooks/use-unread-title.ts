import { useEffect, useRef, useState } from "react";

/**
 * While the tab is hidden, counts messages that arrive and shows the count in the document title,
 * so a person in another tab sees the conversation moved on. Cleared when they come back.
 */
export function useUnreadTitle(partnerMessageCount: number) {
  const [unread, setUnread] = useState(0);
  const seen = useRef(partnerMessageCount);
  const baseTitle = useRef<string | null>(null);

  useEffect(() => {
    const added = partnerMessageCount - seen.current;
    seen.current = partnerMessageCount;
    if (added > 0 && document.visibilityState === "hidden") setUnread((count) => count + added);
  }, [partnerMessageCount]);

  useEffect(() => {
    const onVisibility = () => {
      if (document.visibilityState === "visible") setUnread(0);
    };
    document.addEventListener("visibilitychange", onVisibility);
    return () => document.removeEventListener("visibilitychange", onVisibility);
  }, []);

  useEffect(() => {
    baseTitle.current ??= document.title;
    document.title = unread > 0 ? `(${unread}) ${baseTitle.current}` : baseTitle.current;
  }, [unread]);

  useEffect(
    () => () => {
      if (baseTitle.current) document.title = baseTitle.current;
    },
    [],
  );
}
