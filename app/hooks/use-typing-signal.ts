import { useCallback, useEffect, useRef, type RefObject } from "react";
import { createTypingSignal, type TypingSignal } from "~/lib/typing-signal";
import { trpc } from "~/lib/trpc";

/** Tells the partner while this person types (see typing-signal.ts for when); nothing while `quiet`. */
export function useTypingSignal(roomId: string, name: string, quiet: RefObject<boolean>) {
  const utils = trpc.useUtils();
  const sender = useRef(name);
  const signal = useRef<TypingSignal>();

  useEffect(() => {
    sender.current = name;
  }, [name]);

  useEffect(() => {
    const typingSignal = createTypingSignal((typing) => {
      if (!sender.current || quiet.current) return;
      // Best-effort: a lost signal only means a missed or lingering "typing…", which expires.
      utils.client.room.typing.mutate({ roomId, typing, sender: sender.current }).catch(() => {});
    });
    signal.current = typingSignal;
    return () => typingSignal.dispose();
  }, [roomId, utils, quiet]);

  const onInput = useCallback((text: string) => signal.current?.input(text), []);
  const onSent = useCallback(() => signal.current?.sent(), []);
  return { onInput, onSent };
}
