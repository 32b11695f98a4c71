import type { MetaFunction } from "@remix-run/node";
import { NotFoundPage } from "~/components/status-page";

export const meta: MetaFunction = () => [
  { title: "Ephemera · nothing here" },
  { name: "robots", content: "noindex, nofollow" },
];

/** Any address no other route claims (`/room/` without an id among them) is a plain 404. */
export function loader(): never {
  throw new Response("Not Found", { status: 404, statusText: "Not Found" });
}

// Whatever the method (a POST to an unknown API path reaches Remix): no such address, not "no such method".
export const action = loader;

export default function NotFound() {
  return null;
}

export const ErrorBoundary = NotFoundPage;
