import { useEffect, useState } from "react";
import { trpc } from "~/lib/trpc";

const RESYNC_MS = 30_000;
const TICK_MS = 250;

/**
 * When the room self-destructs, as a time on this browser's clock: `initialDeadline` from the
 * page's own data (anchored where that data arrived: route-data-arrival.ts), then re-derived
 * every half minute from the server's `room.ttl`. Both are relative times, so client and server
 * clocks need not agree. The server measures the time left somewhere inside the request's round
 * trip; anchoring at the midpoint keeps the error under half a round trip however slow the
 * network is. Null (a direct chat) stays null.
 */
export function useRoomDeadline(roomId: string, initialDeadline: number | null): number | null {
  const [deadline, setDeadline] = useState(initialDeadline);
  const utils = trpc.useUtils();
  const timed = initialDeadline !== null;

  useEffect(() => {
    // A direct chat has no deadline: each of its messages expires on its own.
    if (!timed) return;
    let cancelled = false;
    async function sync() {
      const sentAt = performance.now();
      try {
        const { ttlMs } = await utils.client.room.ttl.query({ roomId });
        const roundTrip = performance.now() - sentAt;
        if (!cancelled) setDeadline(Date.now() - roundTrip / 2 + ttlMs);
      } catch {
        // The room's end arrives as an event; a failed resync just keeps the last estimate.
      }
    }
    // No query on arrival: the page's data already carried the time left, and every person
    // arriving in a room would otherwise cost the server one more request (bench/README.md).
    const resync = setInterval(sync, RESYNC_MS);
    return () => {
      cancelled = true;
      clearInterval(resync);
    };
  }, [roomId, utils, timed]);

  return deadline;
}

/**
 * Whole seconds left until `deadline`, ticking. Only the component that shows the seconds should
 * call this: each tick re-renders its caller.
 */
export function useSecondsLeft(deadline: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const tick = setInterval(() => setNow(Date.now()), TICK_MS);
    return () => clearInterval(tick);
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
