import { trpc } from "~/lib/trpc";

const REFRESH_MS = 15_000;

/**
 * "N people online" (waiting or in a stranger chat, on every instance). A figure that cannot be
 * had is simply not shown: the lobby works the same without it. The line keeps its height
 * meanwhile so nothing below it moves when it appears.
 */
export function OnlineCount() {
  const stats = trpc.match.stats.useQuery(undefined, { refetchInterval: REFRESH_MS, retry: false });
  const online = stats.isSuccess ? stats.data.online : null;
  return (
    <p data-testid="online-count" className="flex h-4 items-center justify-center gap-2 text-xs text-zinc-400">
      {online !== null && (
        <>
          <span
            aria-hidden="true"
            className={`size-2 rounded-full ${online > 0 ? "bg-emerald-400" : "border border-zinc-500"}`}
          />
          {online === 1 ? "1 person online" : `${online} people online`}
        </>
      )}
    </p>
  );
}
