import { useId } from "react";

const EXPLANATION =
  "Compare it with the stranger: if you both see the same code, nobody in between can read this chat.";

/**
 * A stranger chat's six digits, from the room key both browsers agreed. A server that swapped
 * their public keys would leave each with its own key, and so its own code. Nothing until the
 * agreement is done (the composer says "Securing the chat…" meanwhile).
 */
export function SafetyCode({ code }: { code: string | null }) {
  const explanationId = useId();
  if (!code) return null;
  return (
    <p className="shrink-0 text-xs text-zinc-400" title={EXPLANATION}>
      <span data-testid="safety-code" aria-describedby={explanationId} className="font-bold tabular-nums text-zinc-200">
        Safety code {code}
      </span>
      <span id={explanationId} className="sr-only">
        {EXPLANATION}
      </span>
    </p>
  );
}
