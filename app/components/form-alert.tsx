/**
 * The form-level message (wrong password, too many attempts). The live region is always in the
 * page, so screen readers announce a message when it appears rather than miss a new node.
 */
export function FormAlert({ id, message }: { id: string; message: string | null }) {
  return (
    // Empty, it takes no room: no gap below it from the form's spacing.
    <div id={id} role="alert" aria-live="assertive" aria-atomic="true" className="empty:mb-0">
      {message && (
        <p className="rounded border border-red-500/50 bg-red-500/10 px-3 py-2 text-sm text-red-200">{message}</p>
      )}
    </div>
  );
}
