import { useState, type FormEvent } from "react";
import { CARD, PRIMARY_BUTTON, TRAILING_LIVE_REGION } from "~/components/account-page";
import { FormAlert } from "~/components/form-alert";
import { TextField } from "~/components/text-field";
import { useFormProblems } from "~/hooks/use-form-problems";
import type { AccountClient } from "~/lib/account-client";
import { isSignedOutError, problemOf } from "~/lib/account-errors";
import { PASSWORD_MIN_LENGTH, passwordProblem } from "~/shared/common-passwords";

const FIELDS = ["currentPassword", "newPassword", "repeatPassword"] as const;

/** Re-wraps the account's keys under a new password; every other browser is signed out. */
export function ChangePasswordForm({
  username,
  account,
  onChanged,
  onSignedOut,
}: {
  username: string;
  account: AccountClient;
  onChanged: () => void;
  /** This browser was signed out elsewhere while the page was open. */
  onSignedOut: () => void;
}) {
  const form = useFormProblems(FIELDS);
  const [currentPassword, setCurrentPassword] = useState("");
  const [newPassword, setNewPassword] = useState("");
  const [repeatPassword, setRepeatPassword] = useState("");
  const [done, setDone] = useState<string | null>(null);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (form.busy) return;
    form.reset();
    setDone(null);
    const hasErrors = form.showFieldErrors({
      currentPassword: currentPassword ? undefined : "Type your current password.",
      newPassword:
        passwordProblem(newPassword, username) ??
        (newPassword === currentPassword ? "The new password is the same as the current one." : undefined),
      repeatPassword: newPassword === repeatPassword ? undefined : "The two new passwords are not the same.",
    });
    if (hasErrors) return;
    form.setBusy(true);
    try {
      const { otherSessionsSignedOut } = await account.changePassword(username, currentPassword, newPassword);
      setCurrentPassword("");
      setNewPassword("");
      setRepeatPassword("");
      setDone(
        otherSessionsSignedOut === 0
          ? "Password changed."
          : `Password changed. ${otherSessionsSignedOut} other ${
              otherSessionsSignedOut === 1 ? "browser was" : "browsers were"
            } signed out.`,
      );
      onChanged();
    } catch (error) {
      if (isSignedOutError(error)) return onSignedOut();
      form.showProblem(problemOf(error, { currentAuthKey: "currentPassword", authKey: "newPassword" }));
    } finally {
      form.setBusy(false);
    }
  }

  return (
    <section aria-labelledby="password-heading" className="space-y-3">
      <h2 id="password-heading" className="text-lg font-bold text-zinc-200">
        Change password
      </h2>
      <form onSubmit={onSubmit} noValidate aria-busy={form.busy} aria-describedby="password-alert" className={CARD}>
        <FormAlert id="password-alert" message={form.formError} />
        {/* Password managers tie the new password to this account by the username beside it. */}
        <input type="text" autoComplete="username" value={username} readOnly hidden />
        <TextField
          id="current-password"
          type="password"
          label="Current password"
          {...form.bind("currentPassword", currentPassword, setCurrentPassword)}
          autoComplete="current-password"
          required
        />
        <TextField
          id="new-password"
          type="password"
          label="New password"
          {...form.bind("newPassword", newPassword, setNewPassword)}
          autoComplete="new-password"
          required
          hint={`At least ${PASSWORD_MIN_LENGTH} characters, and not a common one.`}
        />
        <TextField
          id="repeat-new-password"
          type="password"
          label="New password again"
          {...form.bind("repeatPassword", repeatPassword, setRepeatPassword)}
          autoComplete="new-password"
          required
        />
        <button type="submit" disabled={!form.hydrated || form.busy} className={PRIMARY_BUTTON}>
          {form.busy ? "Changing password…" : "Change password"}
        </button>
        <p role="status" className={`text-sm text-emerald-300 ${TRAILING_LIVE_REGION}`}>
          {done}
        </p>
      </form>
    </section>
  );
}
