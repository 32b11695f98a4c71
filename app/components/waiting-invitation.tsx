import { useEffect, useId, useState } from "react";
import { copyText } from "~/lib/copy-text";
import { qrPath } from "~/lib/waiting-room";

/** Long enough to see, short enough that a second press reads as a second copy. */
const COPIED_MS = 2000;
/** The light border scanners need around the code, in modules (the standard asks for four). */
const QUIET_ZONE = 4;

type CopyState = "idle" | "copied" | "failed";

/**
 * A private room with nobody else in it yet: the link to hand over, as text, as a button to copy
 * or share, and as a QR code for a phone across the table. The room view drops it once the second
 * person takes their seat.
 */
export function WaitingInvitation({ link }: { link: string }) {
  const headingId = useId();
  const [copy, setCopy] = useState<CopyState>("idle");
  // Only where the browser can share: known after hydration, so the server renders no button.
  const [canShare, setCanShare] = useState(false);
  useEffect(() => setCanShare(typeof navigator.share === "function"), []);
  useEffect(() => {
    if (copy === "idle") return;
    const timer = setTimeout(() => setCopy("idle"), COPIED_MS);
    return () => clearTimeout(timer);
  }, [copy]);

  async function onCopy() {
    setCopy((await copyText(link)) ? "copied" : "failed");
  }

  async function onShare() {
    try {
      // The link alone: no title or text that a messaging app would send along in the clear.
      await navigator.share({ url: link });
    } catch {
      // Closing the share sheet rejects too; the link is still on screen to copy.
    }
  }

  return (
    <section
      aria-labelledby={headingId}
      className="mx-auto w-full max-w-3xl shrink overflow-y-auto border-b border-zinc-800 px-4 py-4"
    >
      <div className="flex flex-col items-center gap-4 sm:flex-row sm:items-start">
        <QrCode link={link} />
        <div className="flex w-full min-w-0 flex-col gap-3">
          <h2 id={headingId} className="text-base font-bold text-zinc-100">
            Waiting for the other person
          </h2>
          <p className="text-sm text-zinc-300">
            Anyone with this link can read this room: the key is in the link. Send it to one person.
          </p>
          <p
            data-testid="invitation-link"
            className="select-all break-all rounded border border-zinc-700 bg-zinc-900 px-3 py-2 font-mono text-sm text-zinc-100"
          >
            {link}
          </p>
          <div className="flex flex-wrap gap-2">
            <button
              type="button"
              onClick={onCopy}
              className="h-12 min-w-36 rounded bg-emerald-500 px-5 text-base font-bold text-zinc-950 hover:bg-emerald-400 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-emerald-300"
            >
              {copy === "copied" ? "Copied" : copy === "failed" ? "Could not copy" : "Copy link"}
            </button>
            {canShare && (
              <button
                type="button"
                onClick={onShare}
                className="h-12 rounded border border-zinc-600 px-5 text-base text-zinc-100 hover:bg-zinc-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-emerald-300"
              >
                Share
              </button>
            )}
          </div>
          {/* The button's own words change; this says it to a screen reader too. */}
          <p aria-live="polite" className="sr-only">
            {copy === "copied" ? "Link copied" : copy === "failed" ? "Could not copy the link" : ""}
          </p>
        </div>
      </div>
    </section>
  );
}

/**
 * The link as a QR code drawn here, in SVG: the link holds the key, so it goes to no service. The
 * encoder loads only when a room is waiting, which keeps it out of the room page's first load.
 */
function QrCode({ link }: { link: string }) {
  const [code, setCode] = useState<{ link: string; size: number; path: string } | null>(null);
  useEffect(() => {
    let current = true;
    void import("uqr").then(
      ({ encode }) => {
        if (!current) return;
        const { data, size } = encode(link, { ecc: "M", border: 0 });
        setCode({ link, size, path: qrPath(data, QUIET_ZONE) });
      },
      () => {
        // The encoder could not be fetched (offline): the link and its buttons are still there.
      },
    );
    return () => {
      current = false;
    };
  }, [link]);
  const side = code ? code.size + 2 * QUIET_ZONE : 1;
  return (
    <div className="size-44 shrink-0 rounded bg-white">
      {code && code.link === link && (
        // Dark on light with its quiet zone: the way round phone cameras read best.
        <svg
          role="img"
          aria-label="QR code of the room link"
          viewBox={`0 0 ${side} ${side}`}
          shapeRendering="crispEdges"
          className="size-full"
        >
          <rect width={side} height={side} fill="#fff" />
          <path d={code.path} fill="#000" />
        </svg>
      )}
    </div>
  );
}
