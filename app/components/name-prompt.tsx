import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { SENDER_MAX_LENGTH } from "~/shared/limits";

interface NamePromptProps {
  /** What the box starts with: the name this browser remembers (or made up), or the current one. */
  initial: string;
  /** A rename (Escape or Cancel keeps the name); otherwise the name asked for on arrival. */
  renaming: boolean;
  pending: boolean;
  onAccept: (name: string) => void;
  onCancel: () => void;
}

/**
 * In place of the composer: the name the other person will see, ready to accept with Enter. Asked
 * once, on arrival by a link (the lobby asks whoever creates the room), and again on "Change name".
 */
export function NamePrompt({ initial, renaming, pending, onAccept, onCancel }: NamePromptProps) {
  const [value, setValue] = useState(initial);
  const box = useRef<HTMLInputElement>(null);

  useEffect(() => {
    box.current?.focus();
    box.current?.select();
  }, []);

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    // An emptied box keeps the name it started with: nobody goes by nothing.
    onAccept(value.trim().slice(0, SENDER_MAX_LENGTH) || initial);
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (renaming && event.key === "Escape") {
      event.preventDefault();
      onCancel();
    }
  }

  return (
    <form
      onSubmit={onSubmit}
      aria-labelledby="name-prompt-label"
      className="border-t border-zinc-800 bg-zinc-950 px-4 pt-3 pb-[max(0.75rem,env(safe-area-inset-bottom))]"
    >
      <label id="name-prompt-label" htmlFor="member-name" className="text-sm font-bold text-zinc-100">
        {renaming ? "Change your name" : "Your name in this room"}
      </label>
      <div className="mt-1.5 flex gap-2">
        <input
          id="member-name"
          ref={box}
          value={value}
          maxLength={SENDER_MAX_LENGTH}
          autoComplete="off"
          spellCheck={false}
          onChange={(event) => setValue(event.target.value)}
          onKeyDown={onKeyDown}
          aria-describedby="name-prompt-hint"
          className="min-h-11 min-w-0 flex-1 rounded border border-zinc-700 bg-zinc-900 px-3 py-2 text-base text-zinc-100 focus:border-emerald-500 focus:outline-none sm:min-h-10 sm:text-sm"
        />
        <button
          type="submit"
          disabled={pending}
          className="h-11 shrink-0 rounded bg-emerald-500 px-4 font-bold text-zinc-950 hover:bg-emerald-400 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-emerald-300 disabled:opacity-60 sm:h-10"
        >
          {renaming ? "Save" : "Continue"}
        </button>
        {renaming && (
          <button
            type="button"
            onClick={onCancel}
            className="h-11 shrink-0 rounded border border-zinc-700 px-3 text-zinc-200 hover:bg-zinc-800 focus-visible:outline-2 focus-visible:outline-emerald-300 sm:h-10"
          >
            Cancel
          </button>
        )}
      </div>
      <p id="name-prompt-hint" className="mt-1 text-xs text-zinc-400">
        The other person sees this name. Press Enter to {renaming ? "save it" : "use it"}
        {renaming ? ", Escape to keep your name." : "."}
      </p>
    </form>
  );
}
