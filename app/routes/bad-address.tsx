import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { isRouteErrorResponse, useRouteError } from "@remix-run/react";
import { BadAddressPage, NotFoundPage } from "~/components/status-page";

export const meta: MetaFunction = () => [
  { title: "Ephemera · damaged link" },
  { name: "robots", content: "noindex, nofollow" },
];

/**
 * The browser still shows the undecodable address, which no client-side router can match, so this
 * page is sent without the app's scripts (root.tsx reads this flag): there is nothing to hydrate.
 */
export const handle = { hydrate: false };

/**
 * Where the server sends a request whose path does not decode (server/http-app.ts). Asked for by
 * its own name, it is just another address that leads nowhere.
 */
export function loader({ context }: LoaderFunctionArgs): never {
  if (context.undecodablePath) throw new Response("Bad Request", { status: 400, statusText: "Bad Request" });
  throw new Response("Not Found", { status: 404, statusText: "Not Found" });
}

export default function BadAddress() {
  return null;
}

export function ErrorBoundary() {
  const error = useRouteError();
  return isRouteErrorResponse(error) && error.status === 400 ? <BadAddressPage /> : <NotFoundPage />;
}
