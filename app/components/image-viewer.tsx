import { forwardRef, useId } from "react";

interface ImageViewerProps {
  src: string;
  alt: string;
}

/** The enlarged picture: a modal the size of the screen; Escape or Close returns to the thumbnail. */
export const ImageViewer = forwardRef<HTMLDialogElement, ImageViewerProps>(function ImageViewer({ src, alt }, ref) {
  const titleId = useId();
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      className="m-auto max-h-[95dvh] max-w-[95vw] rounded border border-zinc-700 bg-zinc-950 p-2 text-zinc-100 backdrop:bg-black/80"
    >
      <h2 id={titleId} className="sr-only">
        Image
      </h2>
      <img src={src} alt={alt} className="checkerboard max-h-[85dvh] max-w-[92vw] object-contain" />
      <form method="dialog" className="mt-2 flex justify-end">
        <button type="submit" className="rounded px-3 py-1 text-sm text-zinc-300 hover:bg-zinc-800">
          Close
        </button>
      </form>
    </dialog>
  );
});
