import type { ReactNode } from "react";

/**
 * A page for an address that leads nowhere (404) or cannot be read (400): the lobby's column and
 * look, one plain sentence, and the lobby one step away. A plain link, not a router Link: the bad
 * address page is sent without the app's scripts.
 */
export function StatusPage({ status, title, children }: { status: number; title: string; children: ReactNode }) {
  return (
    <main className="mx-auto flex min-h-dvh max-w-md flex-col justify-center gap-6 px-5 py-10">
      <header className="space-y-2">
        <p className="text-sm text-zinc-400">
          {">"} ephemera <span className="text-zinc-600">·</span> {status}
        </p>
        <h1 className="text-3xl font-bold tracking-tight text-emerald-400">{title}</h1>
      </header>
      <p className="leading-relaxed text-zinc-300">{children}</p>
      <a
        href="/"
        className="rounded bg-emerald-500 px-4 py-2.5 text-center font-bold text-zinc-950 hover:bg-emerald-400 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-emerald-300"
      >
        Back to the lobby
      </a>
    </main>
  );
}

export function NotFoundPage() {
  return (
    <StatusPage status={404} title="Nothing here">
      This address leads nowhere. If someone sent you a room link, check that it was copied whole; a room that has ended
      is gone for good.
    </StatusPage>
  );
}

export function BadAddressPage() {
  return (
    <StatusPage status={400} title="This link is damaged">
      Part of this address is garbled, so it cannot lead anywhere. If someone sent you a room link, ask them to copy it
      again, whole.
    </StatusPage>
  );
}
