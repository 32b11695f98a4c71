import { json, redirect, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { enterRoom } from "~/.server/room-gate";
import { getServices } from "~/.server/services";
import { RoomView } from "~/components/room-view";

export const meta: MetaFunction = () => [
  { title: "Ephemera · private room" },
  { name: "robots", content: "noindex, nofollow" },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const result = await enterRoom(request, params.roomId ?? "", getServices());
  const headers = new Headers({ "Cache-Control": "no-store" });
  if (result.kind === "redirect") throw redirect(result.location, { headers });
  // Bots and prefetches see a neutral page and take no seat.
  if (result.kind === "preview") return json({ kind: "preview" as const }, { headers });
  if (result.setCookie) headers.append("Set-Cookie", result.setCookie);
  return json(
    { kind: "member" as const, roomId: params.roomId ?? "", ttlMs: result.ttlMs },
    { headers },
  );
}

export const headers: HeadersFunction = ({ loaderHeaders }) => loaderHeaders;

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
  return <RoomView key={data.roomId} roomId={data.roomId} initialTtlMs={data.ttlMs} />;
}
