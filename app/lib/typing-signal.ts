/** Each signal keeps the partner's indicator alive for ~3 s on the server; once a second refreshes it. */
export const TYPING_REFRESH_MS = 1000;
/** A pause this long means the person stopped typing. */
export const TYPING_IDLE_MS = 2000;

export interface TypingSignal {
  /** The composer's text changed. */
  input: (text: string) => void;
  /** A message went out: the server and the partner clear the indicator themselves. */
  sent: () => void;
  dispose: () => void;
}

/**
 * Tells the partner when this person types, cheaply: the first keystroke signals at once, then
 * at most one signal a second while typing goes on, and a stop after a pause or when the text is
 * cleared.
 */
export function createTypingSignal(send: (typing: boolean) => void): TypingSignal {
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
    if (wasSignalled) send(false);
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
        send(true);
      }
      clearTimeout(idle);
      idle = setTimeout(stop, TYPING_IDLE_MS);
    },
    sent: reset,
    dispose: reset,
  };
}
