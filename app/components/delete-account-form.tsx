import { useState, type FormEvent } from "react";
import { CARD, DANGER_BUTTON } from "~/components/account-page";
import { FormAlert } from "~/components/form-alert";
import { TextField } from "~/components/text-field";
import { useFormProblems } from "~/hooks/use-form-problems";
import type { AccountClient } from "~/lib/account-client";
import { isSignedOutError, problemOf } from "~/lib/account-errors";

const FIELDS = ["username"] as const;

/** Removes the account and everything the server holds for it, once its name has been typed. */
export function DeleteAccountForm({
  username,
  account,
  onDeleted,
  onSignedOut,
}: {
  username: string;
  account: AccountClient;
  onDeleted: () => void;
  /** This browser was signed out elsewhere while the page was open. */
  onSignedOut: () => void;
}) {
  const form = useFormProblems(FIELDS);
  const [typed, setTyped] = useState("");
  const matches = typed.toLowerCase() === username.toLowerCase();

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (form.busy || !matches) return;
    form.reset();
    form.setBusy(true);
    try {
      await account.deleteAccount(typed);
      onDeleted();
    } catch (error) {
      if (isSignedOutError(error)) return onSignedOut();
      form.showProblem(problemOf(error));
      form.setBusy(false);
    }
  }

  return (
    <section aria-labelledby="delete-heading" className="space-y-3">
      <h2 id="delete-heading" className="text-lg font-bold text-red-300">
        Delete account
      </h2>
      <form onSubmit={onSubmit} noValidate aria-busy={form.busy} aria-describedby="delete-alert" className={CARD}>
        <p className="text-sm text-zinc-400">
          Your name, keys and every signed-in browser are removed at once. There is no undo.
        </p>
        <FormAlert id="delete-alert" message={form.formError} />
        <TextField
          id="delete-username"
          label={`Type your username, ${username}, to confirm`}
          {...form.bind("username", typed, setTyped)}
          autoComplete="off"
          autoCapitalize="none"
        />
        <button type="submit" disabled={!form.hydrated || form.busy || !matches} className={DANGER_BUTTON}>
          {form.busy ? "Deleting…" : "Delete account"}
        </button>
      </form>
    </section>
  );
}
