interface KeyChangeWarningProps {
  partner: string;
  safetyCode: string;
  pending: boolean;
  onAccept: () => void;
}

/**
 * In place of the composer when the partner's public keys are not the ones this browser met them
 * with: the account was deleted and its name taken again, or someone swapped the keys to read
 * along. Nothing is sent until the person says they compared the safety code.
 */
export function KeyChangeWarning({ partner, safetyCode, pending, onAccept }: KeyChangeWarningProps) {
  return (
    <section
      role="alert"
      aria-label="Keys changed"
      className="space-y-2 border-t border-amber-500/40 bg-amber-500/10 px-4 pb-[max(0.75rem,env(safe-area-inset-bottom))] pt-3 text-sm"
    >
      <p className="font-bold text-amber-200">{partner}’s keys have changed</p>
      <p className="text-zinc-300">
        This happens when an account is deleted and its name taken again, or when someone tries to read along. Compare
        the safety code with {partner}, in person or on a call, before you send anything.
      </p>
      <div className="flex flex-wrap items-center justify-between gap-3">
        <p className="text-zinc-300">
          Safety code <strong className="tabular-nums text-zinc-100">{safetyCode}</strong>
        </p>
        <button
          type="button"
          disabled={pending}
          onClick={onAccept}
          className="h-11 rounded bg-amber-400 px-4 font-bold text-zinc-950 hover:bg-amber-300 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-amber-200 disabled:opacity-60 sm:h-9"
        >
          I compared the safety code
        </button>
      </div>
    </section>
  );
}
