import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from "react";
import { HEADER_BUTTON } from "./header-button";
import { MoreIcon } from "./icons";

/**
 * Secondary actions: inline in the header from the `sm` width up, behind a "More actions"
 * disclosure button on a phone, where the row has no room for them. The panel stays in the DOM
 * either way, so a confirmation dialog opened from it stays mounted (and modal over it).
 */
export function MoreActions({ children }: { children: ReactNode }) {
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const wrapper = useRef<HTMLDivElement>(null);
  const toggle = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    panel.current?.querySelector<HTMLElement>("button:not(:disabled)")?.focus();
    // A tap anywhere else puts the panel away, as a menu does.
    const closeOutside = (event: PointerEvent) => {
      if (!wrapper.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener("pointerdown", closeOutside);
    return () => document.removeEventListener("pointerdown", closeOutside);
  }, [open]);

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    // Escape inside a dialog opened from the panel is the dialog's: it closes that, not the panel.
    if (event.key !== "Escape" || !open || (event.target as Element).closest("dialog")) return;
    event.preventDefault();
    setOpen(false);
    toggle.current?.focus();
  }

  return (
    <div
      ref={wrapper}
      onKeyDown={onKeyDown}
      onBlur={(event) => {
        // Tabbing past the last action leaves the panel: it closes behind the focus.
        if (event.relatedTarget && !wrapper.current?.contains(event.relatedTarget)) setOpen(false);
      }}
      className="relative sm:contents"
    >
      <button
        ref={toggle}
        type="button"
        aria-expanded={open}
        aria-controls={panelId}
        aria-label="More actions"
        title="More actions"
        onClick={() => setOpen(!open)}
        className={`${HEADER_BUTTON} justify-center border-zinc-700 text-zinc-200 hover:bg-zinc-800 sm:hidden ${open ? "bg-zinc-800" : ""}`}
      >
        <MoreIcon className="size-5" />
      </button>
      <div
        ref={panel}
        id={panelId}
        className={`${open ? "flex" : "hidden"} absolute right-0 top-full z-20 mt-2 w-48 flex-col gap-1 rounded border border-zinc-700 bg-zinc-900 p-1 shadow-xl sm:contents`}
      >
        {children}
      </div>
    </div>
  );
}
