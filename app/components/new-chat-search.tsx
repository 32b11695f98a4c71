import { keepPreviousData } from "@tanstack/react-query";
import { Link, useNavigate } from "@remix-run/react";
import { useEffect, useId, useState, type FormEvent } from "react";
import { trpc } from "~/lib/trpc";
import { normalizeUsername } from "~/shared/username";

/** Typing pauses this long before the server is asked. */
const DEBOUNCE_MS = 300;
/** Fewer letters than this match only a whole name (Enter opens it). */
const PREFIX_MIN = 2;

function useDebounced(value: string, ms: number): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/**
 * Finds people by username as you type: the whole name, or the start of one. Never a list of
 * everyone; a result opens the chat with them, as does Enter on a whole name.
 */
export function NewChatSearch({ me }: { me: string }) {
  const navigate = useNavigate();
  const inputId = useId();
  const hintId = useId();
  const [query, setQuery] = useState("");
  const typed = query.trim();
  const settled = useDebounced(typed, DEBOUNCE_MS);
  const asking = settled.length >= PREFIX_MIN;
  const search = trpc.chat.search.useQuery(
    { query: settled },
    { enabled: asking, staleTime: 30_000, retry: false, placeholderData: keepPreviousData },
  );
  const people = asking ? (search.data?.people ?? []) : [];

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    const name = normalizeUsername(typed);
    if (name && name !== me.toLowerCase()) navigate(`/chats/${encodeURIComponent(name)}`);
  }

  const status =
    typed.length < PREFIX_MIN
      ? "Type a username, or its first letters."
      : search.error
        ? search.error.message
        : !asking || search.isFetching || settled !== typed
          ? "Searching…"
          : people.length === 0
            ? "Nobody by that name."
            : null;

  return (
    <section aria-labelledby={`${inputId}-title`} className="space-y-3">
      <h2 id={`${inputId}-title`} className="font-bold text-zinc-200">
        New chat
      </h2>
      <form role="search" onSubmit={onSubmit}>
        <label htmlFor={inputId} className="sr-only">
          Find someone by username
        </label>
        <input
          id={inputId}
          type="search"
          value={query}
          onChange={(event) => setQuery(event.target.value)}
          autoComplete="off"
          autoCapitalize="none"
          spellCheck={false}
          placeholder="Find someone by username"
          aria-describedby={hintId}
          className="h-11 w-full rounded border border-zinc-700 bg-zinc-900 px-3 text-base placeholder:text-zinc-500 focus:border-emerald-500 focus:outline-none sm:text-sm"
        />
      </form>
      <p id={hintId} role="status" className="text-xs text-zinc-400 empty:hidden">
        {status}
      </p>
      {people.length > 0 && (
        <ul aria-label="People found" className="space-y-1">
          {people.map((person) => (
            <li key={person.username}>
              <Link
                to={`/chats/${encodeURIComponent(person.username)}`}
                className="flex h-11 items-center rounded px-3 text-zinc-100 hover:bg-zinc-900 focus-visible:outline-2 focus-visible:outline-emerald-400"
              >
                {person.username}
              </Link>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
