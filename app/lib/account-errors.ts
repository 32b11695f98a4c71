import { WrongCurrentPasswordError } from "./account-client";
import { KdfParamsError } from "./crypto/account-kdf";
import { UnwrapError } from "./crypto/identity-keys";

/** What a form shows for a failed account action: beside a field, or above the form. */
export interface FormProblem {
  /** A field of the form the message belongs beside, or null for the whole form. */
  field: string | null;
  message: string;
}

interface ErrorData {
  code?: string;
  retryAfterSeconds?: number;
}

/**
 * The server's sentence for an error, placed beside the field it names. Account procedures
 * start a message with the field ("username: that name is taken"); `fields` maps input names
 * to the form's own where they differ (the server's `currentAuthKey` is the form's current password).
 */
export function problemOf(error: unknown, fields: Record<string, string> = {}): FormProblem {
  if (error instanceof WrongCurrentPasswordError) return { field: "currentPassword", message: "Wrong password." };
  if (error instanceof KdfParamsError) {
    return { field: null, message: "The server asked for weaker password protection than this page accepts." };
  }
  if (error instanceof UnwrapError) {
    return { field: null, message: "Your account's keys would not open. Nothing was changed; try again." };
  }
  if (!(error instanceof Error)) return { field: null, message: "Something went wrong. Try again." };
  const data = (error as { data?: ErrorData | null }).data ?? null;
  if (data?.code === "TOO_MANY_REQUESTS") {
    const seconds = Math.max(1, Math.ceil(data.retryAfterSeconds ?? 60));
    return { field: null, message: `Too many attempts, try again in ${seconds} s.` };
  }
  if (!data) return { field: null, message: "The server could not be reached. Check your connection and try again." };
  const named = /^(\w+): (.+)$/s.exec(error.message);
  if (named?.[1] && named[2]) {
    const field = fields[named[1]] ?? named[1];
    return { field, message: sentence(named[2]) };
  }
  return { field: null, message: sentence(error.message) };
}

function sentence(text: string): string {
  const trimmed = text.trim();
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/**
 * The server no longer knows this browser as signed in (revoked elsewhere, expired, deleted):
 * UNAUTHORIZED without a field, unlike "currentPassword: wrong password".
 */
export function isSignedOutError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const data = (error as { data?: ErrorData | null }).data ?? null;
  return data?.code === "UNAUTHORIZED" && !/^\w+: /.test(error.message);
}
