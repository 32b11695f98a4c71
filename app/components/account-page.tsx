import { Link, isRouteErrorResponse, useRouteError } from "@remix-run/react";
import type { ReactNode } from "react";

/** The frame of the account pages: the lobby's column, heading and way back. */
export function AccountPage({ title, intro, children }: { title: string; intro?: ReactNode; children: ReactNode }) {
  return (
    <main className="mx-auto flex min-h-dvh max-w-md flex-col justify-center gap-6 px-5 py-10">
      <header className="space-y-2">
        <Link
          to="/"
          className="text-sm text-emerald-400 underline-offset-4 hover:underline focus-visible:outline-2 focus-visible:outline-emerald-300"
        >
          {">"} ephemera
        </Link>
        <h1 className="text-3xl font-bold tracking-tight text-emerald-400">{title}</h1>
        {intro && <div className="text-zinc-400">{intro}</div>}
      </header>
      {children}
    </main>
  );
}

export const CARD = "space-y-5 rounded-lg border border-zinc-800 bg-zinc-900/60 p-5";
export const PRIMARY_BUTTON =
  "w-full rounded bg-emerald-500 px-4 py-2.5 font-bold text-zinc-950 hover:bg-emerald-400 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-emerald-300 disabled:opacity-60";
export const SECONDARY_BUTTON =
  "rounded border border-zinc-700 px-3 py-1.5 text-sm text-zinc-200 hover:bg-zinc-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-emerald-300 disabled:opacity-60";
export const DANGER_BUTTON =
  "w-full rounded bg-red-500 px-4 py-2.5 font-bold text-zinc-950 hover:bg-red-400 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-red-300 disabled:cursor-not-allowed disabled:opacity-50";
/**
 * For a live region at the end of a card: always in the page so its messages are announced, yet
 * while empty it cancels the gap the card's spacing leaves above it.
 */
export const TRAILING_LIVE_REGION = "empty:-mt-5";
export const TEXT_LINK =
  "text-emerald-400 underline underline-offset-4 focus-visible:outline-2 focus-visible:outline-emerald-300";

/** For the account routes: their own failure in the app's look, the lobby one step away. */
export function AccountErrorBoundary() {
  const error = useRouteError();
  const limited = isRouteErrorResponse(error) && error.status === 429;
  const detail = isRouteErrorResponse(error) && typeof error.data === "string" ? error.data : null;
  return (
    <main className="mx-auto flex min-h-dvh max-w-md flex-col justify-center gap-4 p-6">
      <h1 className="text-xl font-bold text-amber-300">{limited ? "Slow down" : "This page could not be shown"}</h1>
      <p role="alert" className="text-zinc-300">
        {detail ?? "Something went wrong on our side. Your password never left this browser."}
      </p>
      <a className="text-emerald-400 underline" href="/">
        Back to the lobby
      </a>
    </main>
  );
}
