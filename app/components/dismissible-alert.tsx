/**
 * A problem worth reading but not worth keeping on screen: it says itself once (role="alert") and
 * carries its own close button, labelled with what it closes.
 */
export function DismissibleAlert({
  message,
  dismissLabel,
  onDismiss,
}: {
  message: string;
  dismissLabel: string;
  onDismiss: () => void;
}) {
  return (
    <div role="alert" className="flex items-center gap-2 bg-red-500/15 py-1.5 pr-1 pl-4 text-sm text-red-300">
      <p className="flex-1">{message}</p>
      {/* 44 px square for a finger, pulled into the banner's padding so the banner stays one line tall. */}
      <button
        type="button"
        onClick={onDismiss}
        aria-label={dismissLabel}
        title={dismissLabel}
        className="-my-1.5 flex size-11 shrink-0 items-center justify-center rounded text-red-200 hover:bg-red-500/20 focus-visible:outline-2 focus-visible:outline-red-300"
      >
        <svg
          aria-hidden="true"
          viewBox="0 0 16 16"
          className="size-4"
          fill="none"
          stroke="currentColor"
          strokeWidth="2"
        >
          <path d="M3 3l10 10M13 3L3 13" strokeLinecap="round" />
        </svg>
      </button>
    </div>
  );
}
