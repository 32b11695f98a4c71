import { useContext, useEffect, useRef, useState } from "react";
import { RoomImagesContext } from "~/hooks/use-room-images";
import type { MessageImage as Image } from "~/lib/crypto/message-payload";
import { ImageViewer } from "./image-viewer";

/** Thumbnails are at most this wide; the box is reserved from the picture's size, so the log does not jump. */
const THUMBNAIL_MAX_PX = 320;

type LoadState = { status: "loading" } | { status: "ready"; src: string } | { status: "failed"; error: string };

/** A picture in the log: downloaded and decrypted on arrival, enlarged on click. */
export function MessageImage({ image, alt }: { image: Image; alt: string }) {
  const images = useContext(RoomImagesContext);
  const [state, setState] = useState<LoadState>({ status: "loading" });
  const [attempt, setAttempt] = useState(0);
  const viewer = useRef<HTMLDialogElement>(null);
  // The same picture may come as a new object (pending, then stored): its id is what counts.
  const latest = useRef(image);
  latest.current = image;

  useEffect(() => {
    if (!images) return;
    let current = true;
    setState({ status: "loading" });
    images.load(latest.current).then(
      (src) => {
        if (current) setState({ status: "ready", src });
      },
      (error: unknown) => {
        if (current)
          setState({ status: "failed", error: error instanceof Error ? error.message : "Could not load the image" });
      },
    );
    return () => {
      current = false;
    };
  }, [images, image.id, attempt]);

  const width = Math.min(THUMBNAIL_MAX_PX, image.width);
  const box = { width, aspectRatio: `${image.width} / ${image.height}` };

  if (state.status === "failed") {
    return (
      <p
        role="alert"
        className="flex items-center gap-2 rounded-lg border border-dashed border-amber-500/60 px-3 py-2 text-sm text-amber-200"
      >
        {state.error}
        <button
          type="button"
          onClick={() => setAttempt((count) => count + 1)}
          className="rounded border border-amber-500/60 px-2 py-0.5 text-xs"
        >
          Retry
        </button>
      </p>
    );
  }
  if (state.status === "loading") {
    return (
      <p
        style={box}
        className="flex max-w-full items-center justify-center rounded-lg bg-zinc-800 text-sm text-zinc-400"
      >
        Decrypting image…
      </p>
    );
  }
  return (
    <>
      <button
        type="button"
        aria-label="Enlarge image"
        onClick={() => viewer.current?.showModal()}
        style={box}
        className="max-w-full overflow-hidden rounded-lg focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-emerald-300"
      >
        <img src={state.src} alt={alt} className="checkerboard h-full w-full object-cover" />
      </button>
      <ImageViewer ref={viewer} src={state.src} alt={alt} />
    </>
  );
}
