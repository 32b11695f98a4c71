/**
 * The room header's buttons: 44 px square at least on a phone, where a finger presses them, and
 * 36 px tall from the `sm` width up, where they share one row with the title and the countdown.
 */
export const HEADER_BUTTON =
  "inline-flex h-11 min-w-11 items-center gap-1.5 whitespace-nowrap rounded border px-3 text-sm " +
  "focus-visible:outline-2 focus-visible:outline-emerald-400 disabled:opacity-60 sm:h-9";

/** A quiet header button, for what is not the room's main way out. */
export const PLAIN_HEADER_BUTTON = `${HEADER_BUTTON} border-zinc-700 text-zinc-200 hover:bg-zinc-800`;

/** Inside the phone's "More actions" panel: a full-width row; inline again from `sm` up. */
export const MENU_ITEM = `${HEADER_BUTTON} w-full border-transparent text-zinc-200 hover:bg-zinc-800 sm:w-auto sm:border-zinc-700`;
