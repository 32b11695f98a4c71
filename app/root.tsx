import { QueryClientProvider } from "@tanstack/react-query";
import type { LinksFunction, MetaFunction } from "@remix-run/node";
import {
  isRouteErrorResponse,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useMatches,
  useRouteError,
} from "@remix-run/react";
import { useEffect, useState, type ReactNode } from "react";
import { useNonce } from "~/lib/nonce";
import { markHydrated } from "~/lib/route-data-arrival";
import { createQueryClient, createTrpcClient, trpc } from "~/lib/trpc";
import stylesheet from "~/tailwind.css?url";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: stylesheet },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export const meta: MetaFunction = () => [
  { title: "Ephemera · private chat that destroys itself" },
  { name: "description", content: "Two people, one private room, no trace once it ends." },
];

export function Layout({ children }: { children: ReactNode }) {
  const nonce = useNonce();
  // A route may be a page with nothing to hydrate (routes/bad-address.tsx).
  const hydrate = !useMatches().some((match) => (match.handle as { hydrate?: boolean } | undefined)?.hydrate === false);
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        {/* A room link must never leak to another site through the Referer header. */}
        <meta name="referrer" content="no-referrer" />
        <Meta />
        <Links />
      </head>
      <body className="min-h-dvh bg-zinc-950 font-mono text-zinc-100 antialiased">
        {children}
        {hydrate && <ScrollRestoration nonce={nonce} />}
        {hydrate && <Scripts nonce={nonce} />}
      </body>
    </html>
  );
}

export default function App() {
  const [queryClient] = useState(createQueryClient);
  const [trpcClient] = useState(createTrpcClient);
  useEffect(markHydrated, []);
  return (
    <trpc.Provider client={trpcClient} queryClient={queryClient}>
      <QueryClientProvider client={queryClient}>
        <Outlet />
      </QueryClientProvider>
    </trpc.Provider>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  const title = isRouteErrorResponse(error) ? `${error.status} ${error.statusText}` : "Something went wrong";
  return (
    <main className="mx-auto flex min-h-dvh max-w-xl flex-col justify-center gap-4 p-6">
      <h1 className="text-xl font-bold text-red-400">{title}</h1>
      <p className="text-zinc-400">
        {isRouteErrorResponse(error) && typeof error.data === "string"
          ? error.data
          : "The page could not be shown. Nothing you wrote was kept."}
      </p>
      <a className="text-emerald-400 underline" href="/">
        Back to the lobby
      </a>
    </main>
  );
}
