import { useCallback, useEffect, useRef, type RefObject } from "react";

/** Partner bubbles the tracker watches, by their `data-id`. */
const PARTNER_BUBBLES = 'article[data-author="partner"][data-id]';

function onScreen(entry: IntersectionObserverEntry): boolean {
  if (!entry.isIntersecting) return false;
  // Half of it, or half the log's height for a message taller than that.
  const rootHeight = entry.rootBounds?.height ?? Infinity;
  return entry.intersectionRatio >= 0.5 || entry.intersectionRect.height >= rootHeight / 2;
}

/**
 * Reports the newest partner message on the reader's visible screen: inside the log's visible
 * area while the tab itself is visible. A hidden tab reports nothing; becoming visible again
 * reports what is on screen then.
 */
export function useSeenTracker(container: RefObject<HTMLElement>, renderKey: unknown, onSeen: (id: number) => void) {
  const visible = useRef(new Set<number>());
  const observer = useRef<IntersectionObserver>();
  const report = useRef(onSeen);

  useEffect(() => {
    report.current = onSeen;
  }, [onSeen]);

  const check = useCallback(() => {
    if (document.visibilityState !== "visible" || visible.current.size === 0) return;
    report.current(Math.max(...visible.current));
  }, []);

  useEffect(() => {
    const root = container.current;
    if (!root || typeof IntersectionObserver === "undefined") return;
    const onScreenIds = visible.current;
    const io = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          const id = Number((entry.target as HTMLElement).dataset.id);
          if (onScreen(entry)) onScreenIds.add(id);
          else onScreenIds.delete(id);
        }
        check();
      },
      { root, threshold: [0, 0.25, 0.5, 0.75, 1] },
    );
    observer.current = io;
    document.addEventListener("visibilitychange", check);
    return () => {
      io.disconnect();
      observer.current = undefined;
      onScreenIds.clear();
      document.removeEventListener("visibilitychange", check);
    };
  }, [container, check]);

  useEffect(() => {
    const root = container.current;
    const io = observer.current;
    if (!root || !io) return;
    // Observing an element twice is a no-op, so every render can hand over all of them.
    for (const bubble of root.querySelectorAll<HTMLElement>(PARTNER_BUBBLES)) io.observe(bubble);
  }, [container, renderKey]);
}
