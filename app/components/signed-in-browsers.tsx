import { useEffect } from "react";
import { CARD, SECONDARY_BUTTON, TRAILING_LIVE_REGION } from "~/components/account-page";
import { timeAgo } from "~/lib/relative-time";
import { trpc } from "~/lib/trpc";

/** The browsers signed in to this account, newest use first, each one a button away from signed out. */
export function SignedInBrowsers({ onSignedOut }: { onSignedOut: () => void }) {
  const utils = trpc.useUtils();
  const sessions = trpc.account.sessions.useQuery(undefined, { retry: false });
  const refresh = () => utils.account.sessions.invalidate();
  const revoke = trpc.account.revokeSession.useMutation({ onSettled: refresh });
  const revokeOthers = trpc.account.revokeOtherSessions.useMutation({ onSettled: refresh });
  const error = sessions.error ?? revoke.error ?? revokeOthers.error;

  const signedOut = error?.data?.code === "UNAUTHORIZED";
  // Revoked from another browser while this page was open: the next request said so.
  useEffect(() => {
    if (signedOut) onSignedOut();
  }, [signedOut, onSignedOut]);

  const list = sessions.data?.sessions ?? [];
  const others = list.filter((session) => !session.current);
  return (
    <section aria-labelledby="browsers-heading" aria-busy={sessions.isPending} className="space-y-3">
      <h2 id="browsers-heading" className="text-lg font-bold text-zinc-200">
        Signed-in browsers
      </h2>
      <div className={CARD}>
        {sessions.isPending && <p className="text-sm text-zinc-400">Loading…</p>}
        <ul className="divide-y divide-zinc-800">
          {list.map((session) => (
            <li key={session.id} className="flex items-center justify-between gap-3 py-3 first:pt-0 last:pb-0">
              <div className="min-w-0">
                <p className="text-zinc-100">
                  {session.browser}
                  {session.current && (
                    <span className="ml-2 rounded bg-emerald-500/15 px-1.5 py-0.5 text-xs text-emerald-300">
                      this browser
                    </span>
                  )}
                </p>
                <p className="text-xs text-zinc-400">
                  {session.current ? "In use now" : `Last used ${timeAgo(new Date(session.lastUsedAt))}`}
                </p>
              </div>
              {!session.current && (
                <button
                  type="button"
                  onClick={() => revoke.mutate({ sessionId: session.id })}
                  disabled={revoke.isPending}
                  aria-label={`Sign out ${session.browser}, last used ${timeAgo(new Date(session.lastUsedAt))}`}
                  className={SECONDARY_BUTTON}
                >
                  Sign out
                </button>
              )}
            </li>
          ))}
        </ul>
        {others.length > 0 && (
          <button
            type="button"
            onClick={() => revokeOthers.mutate({})}
            disabled={revokeOthers.isPending}
            className={`${SECONDARY_BUTTON} w-full`}
          >
            {revokeOthers.isPending ? "Signing out…" : "Sign out everywhere else"}
          </button>
        )}
        <div role="alert" aria-live="assertive" className={TRAILING_LIVE_REGION}>
          {error && error.data?.code !== "UNAUTHORIZED" && (
            <p className="text-sm text-red-400">Could not update the list: {error.message}</p>
          )}
        </div>
        <p role="status" className={`text-sm text-emerald-300 ${TRAILING_LIVE_REGION}`}>
          {revokeOthers.data
            ? `Signed out ${revokeOthers.data.revoked} other ${
                revokeOthers.data.revoked === 1 ? "browser" : "browsers"
              }.`
            : null}
        </p>
      </div>
    </section>
  );
}
