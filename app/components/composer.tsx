import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { MESSAGE_MAX_LENGTH } from "~/lib/limits";

/** Shown once fewer than this many characters are left. */
const COUNTER_FROM = 200;

interface ComposerProps {
  name: string;
  onSend: (text: string) => void;
  /** Every edit, for the typing signal. */
  onTextChange?: (text: string) => void;
  /** Said instead of the usual hint while nothing can be sent ("Securing the chat…"). */
  disabledReason?: string | null;
}

/** Enter sends, Shift+Enter starts a new line; the text box clears at once (sending is optimistic). */
export function Composer({ name, onSend, onTextChange, disabledReason }: ComposerProps) {
  const [text, setText] = useState("");
  const box = useRef<HTMLTextAreaElement>(null);
  const disabled = Boolean(disabledReason);
  const left = MESSAGE_MAX_LENGTH - text.length;
  const canSend = !disabled && text.trim().length > 0 && name.length > 0;

  useEffect(() => {
    // Ready now (the chat was secured): the box takes focus, as it does on arrival, unless the
    // person has already moved somewhere else on the page.
    if (!disabled && (document.activeElement === null || document.activeElement === document.body)) box.current?.focus();
  }, [disabled]);

  function submit() {
    if (!canSend) return;
    onSend(text.trim());
    setText("");
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    submit();
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
  }

  return (
    <form onSubmit={onSubmit} className="border-t border-zinc-800 bg-zinc-950 px-3 pb-[max(0.75rem,env(safe-area-inset-bottom))] pt-3">
      <div className="flex items-end gap-2">
        <label className="sr-only" htmlFor="message">
          Message
        </label>
        <textarea
          id="message"
          ref={box}
          rows={1}
          disabled={disabled}
          value={text}
          autoFocus
          maxLength={MESSAGE_MAX_LENGTH}
          onChange={(event) => {
            setText(event.target.value);
            onTextChange?.(event.target.value);
          }}
          onKeyDown={onKeyDown}
          placeholder="Type a message…"
          aria-describedby="composer-hint"
          className="max-h-40 min-h-10 flex-1 resize-none rounded border border-zinc-700 bg-zinc-900 px-3 py-2 text-base [field-sizing:content] placeholder:text-zinc-500 focus:border-emerald-500 focus:outline-none disabled:cursor-not-allowed disabled:opacity-60 sm:text-sm"
        />
        <button
          type="submit"
          disabled={!canSend}
          className="h-10 rounded bg-emerald-500 px-4 font-bold text-zinc-950 hover:bg-emerald-400 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-emerald-300 disabled:cursor-not-allowed disabled:bg-zinc-700 disabled:text-zinc-400"
        >
          Send
        </button>
      </div>
      <p id="composer-hint" className="mt-1 flex justify-between gap-2 text-xs text-zinc-400">
        {disabledReason ? (
          <span role="status" className="truncate text-amber-200">
            {disabledReason}
          </span>
        ) : (
          <span className="truncate">{name ? `as ${name} · Enter to send, Shift+Enter for a new line` : "\u00a0"}</span>
        )}
        {left < COUNTER_FROM && (
          <span aria-live="polite" className={`shrink-0 tabular-nums ${left === 0 ? "text-red-400" : "text-amber-300"}`}>
            {text.length}/{MESSAGE_MAX_LENGTH}
          </span>
        )}
      </p>
    </form>
  );
}
