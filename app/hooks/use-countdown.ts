import { useEffect, useState } from "react";
import { trpc } from "~/lib/trpc";

const RESYNC_MS = 30_000;

/**
 * Seconds left before the room self-destructs. The deadline is re-derived from the server's
 * `room.ttl` (relative, so client and server clocks need not agree) and ticks locally between.
 */
export function useCountdown(roomId: string, initialTtlMs: number) {
  const [deadline, setDeadline] = useState(() => Date.now() + initialTtlMs);
  const [now, setNow] = useState(() => Date.now());
  const ttl = trpc.room.ttl.useQuery({ roomId }, { refetchInterval: RESYNC_MS, retry: false });

  useEffect(() => {
    if (ttl.data) setDeadline(ttl.dataUpdatedAt + ttl.data.ttlMs);
  }, [ttl.data, ttl.dataUpdatedAt]);

  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, []);

  return Math.max(0, Math.ceil((deadline - now) / 1000));
}

export function formatCountdown(totalSeconds: number): string {
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const two = (value: number) => String(value).padStart(2, "0");
  return hours > 0 ? `${hours}:${two(minutes)}:${two(seconds)}` : `${two(minutes)}:${two(seconds)}`;
}
