import { TTL_CHOICES } from "~/shared/limits";

const STORAGE_KEY = "ephemera:ttl";

/** The room lifetime last chosen in this browser's lobby, if it is still one the lobby offers. */
export function loadRememberedTtl(): number | null {
  try {
    const stored = Number(window.localStorage.getItem(STORAGE_KEY));
    return TTL_CHOICES.some((choice) => choice.seconds === stored) ? stored : null;
  } catch {
    // Storage can be disabled (private modes, strict settings): the lobby's default applies.
    return null;
  }
}

export function rememberTtl(seconds: number): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, String(seconds));
  } catch {
    // Not remembered; the choice still applies to this room.
  }
}
