import { json, redirect, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData, useNavigate } from "@remix-run/react";
import { useCallback, useState } from "react";
import { accountFromRequest } from "~/.server/account-session";
import { AccountErrorBoundary, AccountPage, SECONDARY_BUTTON } from "~/components/account-page";
import { ChangePasswordForm } from "~/components/change-password-form";
import { DeleteAccountForm } from "~/components/delete-account-form";
import { SignedInBrowsers } from "~/components/signed-in-browsers";
import { useAccountClient } from "~/hooks/use-account-client";
import { trpc } from "~/lib/trpc";

export const meta: MetaFunction = () => [
  { title: "Ephemera · your account" },
  { name: "robots", content: "noindex, nofollow" },
];

export async function loader({ request }: LoaderFunctionArgs) {
  const account = await accountFromRequest(request);
  if (!account) throw redirect("/signin?next=/account");
  return json({ username: account.username }, { headers: { "Cache-Control": "no-store" } });
}

export default function Account() {
  const { username } = useLoaderData<typeof loader>();
  const navigate = useNavigate();
  const account = useAccountClient();
  const utils = trpc.useUtils();
  const [signingOut, setSigningOut] = useState(false);

  const onSignedOut = useCallback(() => {
    void account.forget().finally(() => navigate("/signin?next=/account", { replace: true }));
  }, [account, navigate]);

  async function signOut() {
    setSigningOut(true);
    try {
      await account.signOut();
    } finally {
      navigate("/", { replace: true });
    }
  }

  return (
    <AccountPage
      title="Your account"
      intro={
        <div className="flex items-center justify-between gap-3">
          <p>
            Signed in as <strong className="text-zinc-100">{username}</strong>
          </p>
          <button type="button" onClick={signOut} disabled={signingOut} className={SECONDARY_BUTTON}>
            {signingOut ? "Signing out…" : "Sign out"}
          </button>
        </div>
      }
    >
      <ChangePasswordForm
        username={username}
        account={account}
        onChanged={() => void utils.account.sessions.invalidate()}
        onSignedOut={onSignedOut}
      />
      <SignedInBrowsers onSignedOut={onSignedOut} />
      <DeleteAccountForm
        username={username}
        account={account}
        onDeleted={() => navigate("/?account=deleted", { replace: true })}
        onSignedOut={onSignedOut}
      />
    </AccountPage>
  );
}

export const ErrorBoundary = AccountErrorBoundary;
