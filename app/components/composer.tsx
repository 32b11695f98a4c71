import { useState, type FormEvent, type KeyboardEvent } from "react";
import { MESSAGE_MAX_LENGTH } from "~/lib/limits";

interface ComposerProps {
  disabled: boolean;
  sending: boolean;
  error?: string;
  onSend: (text: string) => Promise<void>;
}

export function Composer({ disabled, sending, error, onSend }: ComposerProps) {
  const [text, setText] = useState("");

  async function submit() {
    const trimmed = text.trim();
    if (!trimmed || disabled) return;
    await onSend(trimmed);
    setText("");
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    void submit().catch(() => {});
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void submit().catch(() => {});
    }
  }

  return (
    <form onSubmit={onSubmit} className="border-t border-zinc-800 p-3">
      {error && (
        <p role="alert" className="pb-2 text-sm text-red-400">
          {error}
        </p>
      )}
      <div className="flex gap-2">
        <label className="sr-only" htmlFor="message">
          Message
        </label>
        <textarea
          id="message"
          rows={1}
          value={text}
          maxLength={MESSAGE_MAX_LENGTH}
          onChange={(event) => setText(event.target.value)}
          onKeyDown={onKeyDown}
          placeholder="Type a message…"
          className="flex-1 resize-none rounded border border-zinc-700 bg-zinc-950 px-3 py-2"
        />
        <button
          type="submit"
          disabled={disabled || sending || !text.trim()}
          className="rounded bg-emerald-500 px-4 py-2 font-bold text-zinc-950 disabled:opacity-50"
        >
          Send
        </button>
      </div>
    </form>
  );
}
