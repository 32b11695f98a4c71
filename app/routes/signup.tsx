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
import { PASSWORD_MIN_LENGTH, passwordProblem } from "~/shared/common-passwords";
import { checkUsername, USERNAME_MAX, USERNAME_MIN } from "~/shared/username";

export const meta: MetaFunction = () => [{ title: "Ephemera · sign up" }];

/** Someone already signed in has no account to make here. */
export async function loader({ request }: LoaderFunctionArgs) {
  if (await accountFromRequest(request)) {
    throw redirect(safeNextPath(new URL(request.url).searchParams.get("next")));
  }
  return json(null, { headers: { "Cache-Control": "no-store" } });
}

const FIELDS = ["username", "password", "repeatPassword"] as const;

export default function SignUp() {
  const [params] = useSearchParams();
  const next = params.get("next");
  const navigate = useNavigate();
  const account = useAccountClient();
  const form = useFormProblems(FIELDS);
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [repeatPassword, setRepeatPassword] = useState("");

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (form.busy) return;
    form.reset();
    const name = checkUsername(username);
    const hasErrors = form.showFieldErrors({
      username: name.ok ? undefined : name.problem,
      password: passwordProblem(password, username) ?? undefined,
      repeatPassword: password === repeatPassword ? undefined : "The two passwords are not the same.",
    });
    if (hasErrors) return;
    form.setBusy(true);
    try {
      await account.signUp(username, password);
      navigate(safeNextPath(next), { replace: true });
    } catch (error) {
      form.showProblem(problemOf(error, { authKey: "password" }));
      form.setBusy(false);
    }
  }

  return (
    <AccountPage
      title="Sign up"
      intro={
        <p>
          A name and a password, nothing else. Your password never leaves this browser: it can’t be reset, so keep it
          somewhere safe.
        </p>
      }
    >
      <form onSubmit={onSubmit} noValidate aria-busy={form.busy} aria-describedby="signup-alert" className={CARD}>
        <FormAlert id="signup-alert" message={form.formError} />
        <TextField
          id="username"
          label="Username"
          {...form.bind("username", username, setUsername)}
          autoComplete="username"
          autoCapitalize="none"
          maxLength={USERNAME_MAX + 8}
          required
          hint={`${USERNAME_MIN}–${USERNAME_MAX} letters a-z, digits or underscores. Others find you by it.`}
        />
        <TextField
          id="password"
          type="password"
          label="Password"
          {...form.bind("password", password, setPassword)}
          autoComplete="new-password"
          required
          hint={`At least ${PASSWORD_MIN_LENGTH} characters, and not a common one.`}
        />
        <TextField
          id="repeat-password"
          type="password"
          label="Password again"
          {...form.bind("repeatPassword", repeatPassword, setRepeatPassword)}
          autoComplete="new-password"
          required
        />
        <button type="submit" disabled={!form.hydrated || form.busy} className={PRIMARY_BUTTON}>
          {form.busy ? "Creating your account…" : "Sign up"}
        </button>
      </form>
      <p className="text-sm text-zinc-400">
        Already have an account?{" "}
        <Link to={next ? `/signin?next=${encodeURIComponent(next)}` : "/signin"} className={TEXT_LINK}>
          Sign in
        </Link>
      </p>
    </AccountPage>
  );
}

export const ErrorBoundary = AccountErrorBoundary;
