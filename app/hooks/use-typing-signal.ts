import { nanoid } from "nanoid";
import { useCallback, useEffect, useRef, type RefObject } from "react";
import { createTypingSignal, type TypingSignal } from "~/lib/typing-signal";
import { trpc } from "~/lib/trpc";

/** Seals a name for the typing indicator; null while there is no room key to seal it with. */
export type NameSealer = (name: string) => Promise<string> | null;

/**
 * Tells the partner while this person types (see typing-signal.ts for when); nothing while `quiet`
 * or while `seal` has no key. The name goes sealed, sealed once per name and key. `onSent` gives
 * the clientId to send the message under: the draft the signals named.
 */
export function useTypingSignal(roomId: string, name: string, quiet: RefObject<boolean>, seal: NameSealer) {
  const utils = trpc.useUtils();
  const sender = useRef(name);
  const sealer = useRef(seal);
  const signal = useRef<TypingSignal>();

  useEffect(() => {
    sender.current = name;
  }, [name]);
  useEffect(() => {
    sealer.current = seal;
  }, [seal]);

  useEffect(() => {
    let sealed: { name: string; sealer: NameSealer; value: Promise<string> } | null = null;
    // Sealing takes a moment: signals go out one after another, so a stop never overtakes its start.
    let line: Promise<unknown> = Promise.resolve();
    const typingSignal = createTypingSignal((typing, draft) => {
      const name = sender.current;
      if (!name || quiet.current) return;
      if (!sealed || sealed.name !== name || sealed.sealer !== sealer.current) {
        const value = sealer.current(name);
        if (!value) return;
        sealed = { name, sealer: sealer.current, value };
      }
      const sealedName = sealed.value;
      line = line
        .then(async () => {
          const input = typing ? { roomId, typing, name: await sealedName, draft } : { roomId, typing, draft };
          // Sealing took a moment: a start for a message that has gone out meanwhile would be false.
          if (quiet.current || (typing && !typingSignal.isCurrent(draft))) return;
          // Best-effort, not awaited: a lost signal only means a missed or lingering "typing…", which expires.
          utils.client.room.typing.mutate(input).catch(() => {});
        })
        .catch(() => {});
    });
    signal.current = typingSignal;
    return () => typingSignal.dispose();
  }, [roomId, utils, quiet]);

  const onInput = useCallback((text: string) => signal.current?.input(text), []);
  const onSent = useCallback(() => signal.current?.sent() ?? nanoid(), []);
  return { onInput, onSent };
}
