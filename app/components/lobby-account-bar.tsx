import { Link, useRevalidator } from "@remix-run/react";
import { useEffect, useState } from "react";
import { useAccountClient } from "~/hooks/use-account-client";

const LINK =
  "text-emerald-400 underline-offset-4 hover:underline focus-visible:outline-2 focus-visible:outline-emerald-300";

/** Who is signed in, with the way to their chats, the account page and out; signed out, the ways in. */
export function LobbyAccountBar({ username }: { username: string | null }) {
  const account = useAccountClient();
  const revalidator = useRevalidator();
  const [signingOut, setSigningOut] = useState(false);

  useEffect(() => {
    // Signed out elsewhere (revoked, expired, another tab): keys kept for the account go too.
    if (username === null) void account.forget();
  }, [username, account]);

  async function signOut() {
    setSigningOut(true);
    try {
      await account.signOut();
    } finally {
      setSigningOut(false);
      revalidator.revalidate();
    }
  }

  return (
    <nav aria-label="Account" className="flex flex-wrap items-center justify-between gap-x-4 gap-y-2 text-sm">
      {username ? (
        <>
          <p className="text-zinc-400">
            Signed in as <strong className="text-zinc-100">{username}</strong>
          </p>
          <div className="flex items-center gap-4">
            <Link to="/chats" className={LINK}>
              Chats
            </Link>
            <Link to="/account" className={LINK}>
              Account
            </Link>
            <button type="button" onClick={signOut} disabled={signingOut} className={`${LINK} disabled:opacity-60`}>
              {signingOut ? "Signing out…" : "Sign out"}
            </button>
          </div>
        </>
      ) : (
        <>
          <p className="text-zinc-400">No account needed to chat.</p>
          <div className="flex items-center gap-4">
            <Link to="/signin" className={LINK}>
              Sign in
            </Link>
            <Link to="/signup" className={LINK}>
              Sign up
            </Link>
          </div>
        </>
      )}
    </nav>
  );
}
