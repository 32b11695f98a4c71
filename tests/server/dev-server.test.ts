import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RoomEvent } from "~/shared/room-events";
import { MAX_BATCH_CALLS } from "~/shared/limits";
import { startAppServer, type AppServer } from "../support/app-server";
import { startDevServer, type DevServer } from "../support/dev-server";
import { opaque } from "../support/opaque";
import { memberOfNewRoom, Visitor } from "../support/visitor";
import { waitFor } from "../support/wait-for";

/** superjson's `deserialize` recursed on this until the stack overflowed (decision 017). */
const RUNAWAY = '{"json":{},"meta":{"values":"x"}}';

interface Refusal {
  message: string;
  code: string;
  httpStatus?: number;
}

/** The status and every error of an answer: JSON (one call or a batch) or an event stream's. */
async function refusalOf(response: Response): Promise<{ status: number; errors: Refusal[] }> {
  const body = await response.text();
  const type = response.headers.get("content-type") ?? "";
  const shapes = type.startsWith("text/event-stream")
    ? [...body.matchAll(/^event: serialized-error\ndata: (.*)$/gm)].map(
        (match) => JSON.parse(match[1] ?? "null") as unknown,
      )
    : [JSON.parse(body) as unknown].flat();
  const errors = (
    shapes as { error?: { json: Refusal & { data: Refusal } }; json?: Refusal & { data: Refusal } }[]
  ).flatMap((shape) => {
    const error = shape.error?.json ?? shape.json;
    // Only what the client sees: dev answers also carry a stack, as tRPC's do outside production.
    return error ? [{ message: error.message, code: error.data.code, httpStatus: error.data.httpStatus }] : [];
  });
  return { status: response.status, errors };
}

/**
 * `npm run dev` serves /api/trpc through the production transport (server/dev-api.ts): what a
 * developer tries is what users get. Vite compiling the app on a loaded machine takes seconds,
 * hence the startup deadline.
 */
describe("the dev server (npm run dev)", () => {
  let dev: DevServer;
  let production: AppServer;
  beforeAll(async () => {
    [dev, production] = await Promise.all([startDevServer(), startAppServer()]);
  }, 150_000);
  afterAll(async () => {
    await Promise.all([dev?.stop(), production?.stop()]);
  });

  it("runs a conversation: seats through the room page, a send arriving on the other's event stream", async () => {
    const { member: alice, roomId } = await memberOfNewRoom(dev.url, 120);
    const bob = new Visitor(dev.url);
    expect((await bob.open(`/room/${roomId}`)).status).toBe(200);
    const carol = await new Visitor(dev.url).open(`/room/${roomId}`);
    expect(carol.headers.get("location")).toBe("/?error=room-full");

    const received: RoomEvent[] = [];
    const errors: unknown[] = [];
    const subscription = bob.trpc.room.events.subscribe(
      { roomId },
      { onData: ({ data }) => received.push(data), onError: (error) => errors.push(error) },
    );
    await waitFor(() => received.some((event) => event.type === "members"), { what: "Bob's stream to open" });
    await alice.trpc.message.send.mutate({ roomId, ciphertext: opaque("hello through dev"), clientId: "a-1" });
    await waitFor(() => received.find((event) => event.type === "message"), {
      what: "Alice's message on Bob's stream",
    });
    subscription.unsubscribe();
    expect(received.find((event) => event.type === "message")).toMatchObject({
      message: { ciphertext: opaque("hello through dev"), clientId: "a-1", mine: false },
    });
    expect(errors).toEqual([]);

    // Written by the event-stream writer (decision 005), not tRPC's producer, which chunks.
    const controller = new AbortController();
    const stream = await fetch(
      `${dev.url}/api/trpc/room.events?input=${encodeURIComponent(JSON.stringify({ json: { roomId } }))}`,
      {
        headers: { cookie: alice.cookieHeader(), accept: "text/event-stream" },
        signal: controller.signal,
      },
    );
    controller.abort();
    expect(stream.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(stream.headers.get("transfer-encoding")).toBeNull();
    expect(stream.headers.get("connection")).toBe("close");
  });

  it("refuses hostile requests exactly as the production server does", async () => {
    const batchOf = (calls: number) =>
      JSON.stringify(Object.fromEntries(Array.from({ length: calls }, (_, index) => [index, { json: {} }])));
    const requests: Record<string, [path: string, init?: RequestInit]> = {
      "a runaway meta on a mutation (the hot lane)": ["room.create", { method: "POST", body: RUNAWAY }],
      "a runaway meta on a query (tRPC's adapter)": [`room.ttl?input=${encodeURIComponent(RUNAWAY)}`],
      "a runaway meta on room.events (the event-stream writer)": [
        `room.events?input=${encodeURIComponent(RUNAWAY)}`,
        { headers: { accept: "text/event-stream" } },
      ],
      "a batch over the limit": [
        `${Array(MAX_BATCH_CALLS + 1)
          .fill("room.typing")
          .join(",")}?batch=1`,
        { method: "POST", body: batchOf(MAX_BATCH_CALLS + 1) },
      ],
      "a body over the limit": [
        "room.create",
        { method: "POST", body: JSON.stringify({ json: { pad: "x".repeat(70_000) } }) },
      ],
      "a path that does not decode": ["room.%E0%A4%A", { method: "POST", body: "{}" }],
      "a cross-site JSON mutation (the hot lane)": [
        "room.create",
        { method: "POST", body: "{}", headers: { origin: "https://evil.example" } },
      ],
      "a cross-site text/plain mutation (tRPC's adapter)": [
        "room.create",
        { method: "POST", body: "{}", headers: { "content-type": "text/plain", "sec-fetch-site": "cross-site" } },
      ],
    };
    for (const [what, [path, init = {}]] of Object.entries(requests)) {
      const send = (origin: string) =>
        fetch(`${origin}/api/trpc/${path}`, {
          ...init,
          headers: { "content-type": "application/json", ...(init.headers as Record<string, string> | undefined) },
        });
      const expected = await refusalOf(await send(production.url));
      expect(expected.errors, what).not.toEqual([]);
      expect(await refusalOf(await send(dev.url)), what).toEqual(expected);
    }
  });
});
