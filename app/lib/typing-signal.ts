import { nanoid } from "nanoid";

/** Each signal keeps the partner's indicator alive for ~3 s on the server; once a second refreshes it. */
export const TYPING_REFRESH_MS = 1000;
/** A pause this long means the person stopped typing. */
export const TYPING_IDLE_MS = 2000;

export interface TypingSignal {
  /** The composer's text changed. */
  input: (text: string) => void;
  /**
   * A message went out: the server and the partner clear the indicator themselves. Returns the
   * draft's id, the clientId to send the message under, so the server can drop a signal for it
   * that arrives after the message; typing after this is a new draft.
   */
  sent: () => string;
  /** Whether signals for this draft still say something true: its message has not gone out. */
  isCurrent: (draft: string) => boolean;
  dispose: () => void;
}

/**
 * Tells the partner when this person types, cheaply: the first keystroke signals at once, then
 * at most one signal a second while typing goes on, and a stop after a pause or when the text is
 * cleared. Every signal names the draft it is about.
 */
export function createTypingSignal(
  send: (typing: boolean, draft: string) => void,
  newDraft: () => string = nanoid,
): TypingSignal {
  let draft = newDraft();
  let signalled = false;
  let lastSignalAt = 0;
  let idle: ReturnType<typeof setTimeout> | undefined;

  function reset() {
    clearTimeout(idle);
    idle = undefined;
    signalled = false;
  }

  function stop() {
    const wasSignalled = signalled;
    reset();
    if (wasSignalled) send(false, draft);
  }

  return {
    input(text) {
      if (text.trim() === "") {
        stop();
        return;
      }
      const now = Date.now();
      if (!signalled || now - lastSignalAt >= TYPING_REFRESH_MS) {
        signalled = true;
        lastSignalAt = now;
        send(true, draft);
      }
      clearTimeout(idle);
      idle = setTimeout(stop, TYPING_IDLE_MS);
    },
    sent() {
      reset();
      const sentDraft = draft;
      draft = newDraft();
      return sentDraft;
    },
    isCurrent: (candidate) => candidate === draft,
    dispose: reset,
  };
}
