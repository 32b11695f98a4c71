import { json, redirect, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useNavigate, useSearchParams } from "@remix-run/react";
import { useState, type FormEvent } from "react";
import { accountFromRequest } from "~/.server/account-session";
import { AccountErrorBoundary, AccountPage, CARD, PRIMARY_BUTTON, TEXT_LINK } from "~/components/account-page";
import { FormAlert } from "~/components/form-alert";
import { TextField } from "~/components/text-field";
import { useAccountClient } from "~/hooks/use-account-client";
import { useFormProblems } from "~/hooks/use-form-problems";
import { problemOf } from "~/lib/account-errors";
import { safeNextPath } from "~/lib/safe-next";

export const meta: MetaFunction = () => [{ title: "Ephemera · sign in" }];

/** A signed-in visitor goes straight on to where they were headed. */
export async function loader({ request }: LoaderFunctionArgs) {
  if (await accountFromRequest(request)) {
    throw redirect(safeNextPath(new URL(request.url).searchParams.get("next")));
  }
  return json(null, { headers: { "Cache-Control": "no-store" } });
}

const FIELDS = ["username", "password"] as const;

export default function SignIn() {
  const [params] = useSearchParams();
  const next = params.get("next");
  const navigate = useNavigate();
  const account = useAccountClient();
  const form = useFormProblems(FIELDS);
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (form.busy) return;
    form.reset();
    const hasErrors = form.showFieldErrors({
      username: username ? undefined : "Type your username.",
      password: password ? undefined : "Type your password.",
    });
    if (hasErrors) return;
    form.setBusy(true);
    try {
      // Whatever this browser held for another account goes before the new one is kept.
      await account.forget();
      await account.signIn(username, password);
      navigate(safeNextPath(next), { replace: true });
    } catch (error) {
      // Wrong name or password is one answer for the whole form: naming a field would say which.
      form.showProblem({ ...problemOf(error), field: null });
      form.setBusy(false);
    }
  }

  return (
    <AccountPage title="Sign in">
      <form onSubmit={onSubmit} noValidate aria-busy={form.busy} aria-describedby="signin-alert" className={CARD}>
        <FormAlert id="signin-alert" message={form.formError} />
        <TextField
          id="username"
          label="Username"
          {...form.bind("username", username, setUsername)}
          autoComplete="username"
          autoCapitalize="none"
          required
        />
        <TextField
          id="password"
          type="password"
          label="Password"
          {...form.bind("password", password, setPassword)}
          autoComplete="current-password"
          required
        />
        <button type="submit" disabled={!form.hydrated || form.busy} className={PRIMARY_BUTTON}>
          {form.busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
      <p className="text-sm text-zinc-400">
        No account yet?{" "}
        <Link to={next ? `/signup?next=${encodeURIComponent(next)}` : "/signup"} className={TEXT_LINK}>
          Sign up
        </Link>{" "}
        · Rooms and strangers need none.
      </p>
    </AccountPage>
  );
}

export const ErrorBoundary = AccountErrorBoundary;
