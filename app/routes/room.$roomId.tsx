import { json, redirect, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { isRouteErrorResponse, useLoaderData, useRouteError } from "@remix-run/react";
import { useState } from "react";
import { enterRoom, type GateResult } from "~/.server/room-gate";
import { StoreUnavailableError, unavailableMessage } from "~/.server/store-errors";
import { getServices } from "~/.server/services";
import { MissingKey } from "~/components/missing-key";
import { RoomView } from "~/components/room-view";
import { useFragmentKey } from "~/hooks/use-fragment-key";
import { routeDataArrivedAt } from "~/lib/route-data-arrival";
import type { RoomKind } from "~/shared/room-kinds";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  {
    title:
      data?.kind === "member" && data.roomKind === "match"
        ? "Ephemera · chat with a stranger"
        : "Ephemera · private room",
  },
  { name: "robots", content: "noindex, nofollow" },
];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const headers = new Headers({ "Cache-Control": "no-store" });
  let result: GateResult;
  try {
    result = await enterRoom(request, params.roomId ?? "", getServices(), context.clientAddress);
  } catch (error) {
    if (!(error instanceof StoreUnavailableError)) throw error;
    headers.set("Retry-After", String(error.retryAfterSeconds));
    throw new Response(unavailableMessage(error, "Try the link again"), {
      status: 503,
      statusText: "Service Unavailable",
      headers,
    });
  }
  if (result.kind === "redirect") throw redirect(result.location, { headers });
  if (result.kind === "rate-limited") {
    headers.set("Retry-After", String(result.retryAfterSeconds));
    throw new Response(result.message, { status: 429, statusText: "Too Many Requests", headers });
  }
  // Bots and prefetches see a neutral page and take no seat.
  if (result.kind === "preview") return json({ kind: "preview" as const }, { headers });
  if (result.setCookie) headers.append("Set-Cookie", result.setCookie);
  return json(
    {
      kind: "member" as const,
      roomId: params.roomId ?? "",
      ttlMs: result.ttlMs,
      roomKind: result.roomKind,
      joined: result.joined,
      keyCheck: result.keyCheck,
    },
    { headers },
  );
}

// A thrown response (429) brings its own headers, such as Retry-After.
export const headers: HeadersFunction = ({ loaderHeaders, errorHeaders }) => errorHeaders ?? loaderHeaders;

export default function Room() {
  const data = useLoaderData<typeof loader>();
  if (data.kind === "preview") {
    return (
      <main className="mx-auto max-w-md p-6">
        <h1 className="text-xl font-bold text-emerald-400">Ephemera</h1>
        <p className="text-zinc-400">A private, self-destructing chat room. Open the link to join.</p>
      </main>
    );
  }
  return (
    <EncryptedRoom
      key={data.roomId}
      roomId={data.roomId}
      initialTtlMs={data.ttlMs}
      roomKind={data.roomKind}
      joined={data.joined}
      keyCheck={data.keyCheck}
    />
  );
}

interface EncryptedRoomProps {
  roomId: string;
  initialTtlMs: number;
  roomKind: RoomKind;
  joined: boolean;
  /** The creator's check of the room key: a key in the link that does not match it is wrong. */
  keyCheck: string | null;
}

/**
 * The room once its key is known. The key is in the link's fragment, which only this browser sees:
 * the server's render (and the first one here, which must match it) says "Unlocking the room…".
 * A private room without its key (or with a damaged or wrong one) cannot be read at all, and
 * nothing is shown or sent; a stranger chat without one agrees a key with the partner (RoomView
 * does, over the room's stream).
 */
function EncryptedRoom({ roomId, initialTtlMs, roomKind, joined, keyCheck }: EncryptedRoomProps) {
  const fragment = useFragmentKey(keyCheck);
  // Taken on the first render, which for a document is hydration: the room view itself only
  // mounts once the key has been read, by which time "now" may be well after the data arrived.
  const [initialDeadline] = useState(() => routeDataArrivedAt() + initialTtlMs);
  if (fragment.status === "unlocking") {
    return (
      <main className="mx-auto flex min-h-dvh max-w-md flex-col justify-center gap-2 p-6">
        <p role="status" className="text-zinc-400">
          Unlocking the room…
        </p>
      </main>
    );
  }
  if (fragment.status === "unsupported") {
    return (
      <main className="mx-auto flex min-h-dvh max-w-md flex-col justify-center gap-4 p-6">
        <h1 className="text-xl font-bold text-amber-300">This browser cannot encrypt here</h1>
        <p className="text-zinc-300">
          Ephemera encrypts every message in your browser, and browsers only allow that on a secure (https) address.
          Open the link over https, or in a browser that supports encryption.
        </p>
        <a className="text-emerald-400 underline" href="/">
          Back to the lobby
        </a>
      </main>
    );
  }
  const roomKey = fragment.status === "found" ? fragment.roomKey : null;
  if (roomKind === "private" && fragment.status !== "found") {
    return <MissingKey roomId={roomId} joined={joined} problem={fragment.status} />;
  }
  return <RoomView roomId={roomId} initialDeadline={initialDeadline} roomKind={roomKind} initialKey={roomKey} />;
}

/** What went wrong on the way into a room (too many attempts, a server error), and a way back. */
export function ErrorBoundary() {
  const error = useRouteError();
  const limited = isRouteErrorResponse(error) && error.status === 429;
  const detail = isRouteErrorResponse(error) && typeof error.data === "string" ? error.data : null;
  return (
    <main className="mx-auto flex min-h-dvh max-w-md flex-col justify-center gap-4 p-6">
      <h1 className="text-xl font-bold text-amber-300">{limited ? "Slow down" : "This room could not be opened"}</h1>
      <p role="alert" className="text-zinc-300">
        {detail ?? "Something went wrong on our side. Nothing you wrote was kept."}
      </p>
      <a className="text-emerald-400 underline" href="/">
        Back to the lobby
      </a>
    </main>
  );
}
