import {
  useEffect,
  useRef,
  useState,
  type ClipboardEvent,
  type DragEvent,
  type FormEvent,
  type KeyboardEvent,
} from "react";
import { MESSAGE_MAX_LENGTH } from "~/shared/limits";
import { PaperclipIcon } from "./icons";

/** Shown once fewer than this many characters are left. */
const COUNTER_FROM = 200;

interface ComposerProps {
  name: string;
  onSend: (text: string) => void;
  /** Every edit, for the typing signal. */
  onTextChange?: (text: string) => void;
  /** Said instead of the usual hint while nothing can be sent ("Securing the chat…"). */
  disabledReason?: string | null;
  /** An image chosen with Attach, pasted into the box or dropped on the composer. */
  onAttach?: (file: File) => void;
  /** Given where the person chooses their own name (a private room): "Change name" beside it. */
  onRename?: () => void;
}

/** The first image among what was pasted or dropped. */
function imageIn(files: FileList | undefined | null): File | null {
  for (const file of files ?? []) if (file.type.startsWith("image/")) return file;
  return null;
}

const carriesFiles = (event: DragEvent<HTMLElement>) => event.dataTransfer.types.includes("Files");

/**
 * Whether a physical keyboard is likely (a fine pointer that can hover): only then is Shift+Enter
 * worth mentioning. Read after mounting, so the server's markup and the first render agree.
 */
function usePhysicalKeyboard(): boolean {
  const [keyboard, setKeyboard] = useState(false);
  useEffect(() => {
    const query = window.matchMedia("(hover: hover) and (pointer: fine)");
    setKeyboard(query.matches);
    const onChange = () => setKeyboard(query.matches);
    query.addEventListener("change", onChange);
    return () => query.removeEventListener("change", onChange);
  }, []);
  return keyboard;
}

/** Enter sends, Shift+Enter starts a new line; the text box clears at once (sending is optimistic). */
export function Composer({ name, onSend, onTextChange, disabledReason, onAttach, onRename }: ComposerProps) {
  const [text, setText] = useState("");
  const [dragging, setDragging] = useState(false);
  const box = useRef<HTMLTextAreaElement>(null);
  const picker = useRef<HTMLInputElement>(null);
  const disabled = Boolean(disabledReason);
  const left = MESSAGE_MAX_LENGTH - text.length;
  const canSend = !disabled && text.trim().length > 0 && name.length > 0;
  const keyboard = usePhysicalKeyboard();

  useEffect(() => {
    // Ready now (the chat was secured): the box takes focus, as it does on arrival, unless the
    // person has already moved somewhere else on the page.
    if (!disabled && (document.activeElement === null || document.activeElement === document.body))
      box.current?.focus();
  }, [disabled]);

  useEffect(() => {
    // A file dropped anywhere else on the room page must not replace it (and, after Hide link,
    // lose the only copy of the key in the address bar).
    const keepPage = (event: globalThis.DragEvent) => {
      if (event.dataTransfer?.types.includes("Files")) event.preventDefault();
    };
    window.addEventListener("dragover", keepPage);
    window.addEventListener("drop", keepPage);
    return () => {
      window.removeEventListener("dragover", keepPage);
      window.removeEventListener("drop", keepPage);
    };
  }, []);

  function submit() {
    if (!canSend) return;
    onSend(text.trim());
    setText("");
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    submit();
  }

  function onPaste(event: ClipboardEvent<HTMLTextAreaElement>) {
    const file = imageIn(event.clipboardData.files);
    if (!file || disabled || !onAttach) return;
    event.preventDefault();
    onAttach(file);
  }

  function onDragOver(event: DragEvent<HTMLFormElement>) {
    if (!carriesFiles(event)) return;
    // Always claimed: a file the browser opened itself would navigate away from the room.
    event.preventDefault();
    if (!disabled && onAttach) setDragging(true);
  }

  function onDrop(event: DragEvent<HTMLFormElement>) {
    setDragging(false);
    if (!carriesFiles(event)) return;
    event.preventDefault();
    // Not an image? onAttach says so, rather than the drop doing nothing.
    const file = imageIn(event.dataTransfer.files) ?? event.dataTransfer.files[0];
    if (file && !disabled && onAttach) onAttach(file);
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
  }

  return (
    <form
      onSubmit={onSubmit}
      onDragOver={onDragOver}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
      className={`relative border-t border-zinc-800 bg-zinc-950 px-3 pb-[max(0.75rem,env(safe-area-inset-bottom))] pt-3 ${dragging ? "outline-2 outline-dashed outline-emerald-400" : ""}`}
    >
      {dragging && (
        <p className="pointer-events-none absolute inset-0 flex items-center justify-center bg-zinc-950/90 text-sm font-bold text-emerald-300">
          Drop the image to send it
        </p>
      )}
      <div className="flex items-end gap-2">
        {onAttach && (
          <>
            <button
              type="button"
              aria-label="Attach image"
              title="Attach image (or paste or drop one)"
              disabled={disabled}
              onClick={() => picker.current?.click()}
              className="flex size-11 shrink-0 items-center justify-center rounded border border-zinc-700 text-zinc-300 hover:border-emerald-500 hover:text-emerald-300 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-emerald-300 disabled:cursor-not-allowed disabled:opacity-60 sm:size-10"
            >
              <PaperclipIcon className="size-5" />
            </button>
            <input
              ref={picker}
              type="file"
              accept="image/*"
              hidden
              tabIndex={-1}
              onChange={(event) => {
                const file = event.target.files?.[0];
                // Cleared, so choosing the same file again still sends it.
                event.target.value = "";
                if (file) onAttach(file);
              }}
            />
          </>
        )}
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
          onPaste={onPaste}
          placeholder="Type a message…"
          aria-describedby="composer-hint"
          className="max-h-40 min-h-11 min-w-0 flex-1 resize-none rounded border font-reading border-zinc-700 bg-zinc-900 px-3 py-2 text-base [field-sizing:content] placeholder:text-zinc-500 focus:border-emerald-500 focus:outline-none disabled:cursor-not-allowed disabled:opacity-60 sm:min-h-10 sm:text-sm"
        />
        <button
          type="submit"
          disabled={!canSend}
          className="h-11 shrink-0 rounded bg-emerald-500 px-4 font-bold text-zinc-950 hover:bg-emerald-400 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-emerald-300 disabled:cursor-not-allowed disabled:bg-zinc-700 disabled:text-zinc-400 sm:h-10"
        >
          Send
        </button>
      </div>
      <div className="mt-1 flex items-center justify-between gap-2 text-xs text-zinc-400">
        {/* The box's description: what sending does, never the button beside it. */}
        <p id="composer-hint" className="flex min-w-0">
          {disabledReason ? (
            <span role="status" className="truncate text-amber-200">
              {disabledReason}
            </span>
          ) : (
            <span className="truncate">
              {name ? `as ${name}${keyboard ? " · Enter to send, Shift+Enter for a new line" : ""}` : "\u00a0"}
            </span>
          )}
        </p>
        {onRename && !disabledReason && (
          <button
            type="button"
            onClick={onRename}
            // A finger-sized target on a phone; a line of small print from the `sm` width up.
            className="-mt-1 -mb-3 ml-auto inline-flex min-h-11 shrink-0 items-center rounded px-2 text-emerald-400 underline-offset-4 hover:underline focus-visible:outline-2 focus-visible:outline-emerald-300 sm:my-0 sm:min-h-0 sm:px-1"
          >
            Change name
          </button>
        )}
        {left < COUNTER_FROM && (
          <span
            aria-live="polite"
            className={`shrink-0 tabular-nums ${left === 0 ? "text-red-400" : "text-amber-300"}`}
          >
            {text.length}/{MESSAGE_MAX_LENGTH}
          </span>
        )}
      </div>
    </form>
  );
}
