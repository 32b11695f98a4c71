import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RoomEvent } from "~/shared/room-events";
import { startAppServer, type AppServer } from "../support/app-server";
import { opaque } from "../support/opaque";
import { Visitor } from "../support/visitor";
import { metricValue } from "../support/metric-value";
import { waitFor } from "../support/wait-for";

const TOKEN = "metrics-token-0123456789";

describe("Prometheus metrics", () => {
  let server: AppServer;
  beforeAll(async () => {
    server = await startAppServer({ METRICS_TOKEN: TOKEN });
  });
  afterAll(() => server?.stop());

  const scrape = async () => {
    const response = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    return response.text();
  };

  it("refuses a scrape without the right token", async () => {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${server.url}/metrics`, {
      headers: { authorization: "Bearer wrong-token-wrong-token" },
    });
    expect(wrong.status).toBe(401);
  });

  it("counts rooms, messages, open streams and send-to-deliver latency", async () => {
    const before = await scrape();
    const alice = new Visitor(server.url);
    const bob = new Visitor(server.url);
    const { roomId } = await alice.trpc.room.create.mutate({});
    await alice.open(`/room/${roomId}`);
    await bob.open(`/room/${roomId}`);
    const received: RoomEvent[] = [];
    const subscription = bob.trpc.room.events.subscribe({ roomId }, { onData: ({ data }) => received.push(data) });
    await waitFor(() => received.some((event) => event.type === "members"), { what: "the stream to open" });
    const ciphertext = opaque("counted, never logged");
    await alice.trpc.message.send.mutate({ roomId, ciphertext, clientId: "a-counted" });
    await waitFor(() => received.some((event) => event.type === "message"), { what: "delivery" });

    const during = await scrape();
    expect(metricValue(during, "ephemera_rooms_created_total")).toBe(
      metricValue(before, "ephemera_rooms_created_total") + 1,
    );
    expect(metricValue(during, "ephemera_messages_sent_total")).toBe(
      metricValue(before, "ephemera_messages_sent_total") + 1,
    );
    expect(metricValue(during, "ephemera_open_event_streams")).toBe(1);
    expect(metricValue(during, "ephemera_send_to_deliver_seconds_count")).toBe(
      metricValue(before, "ephemera_send_to_deliver_seconds_count") + 1,
    );
    expect(during).not.toContain(roomId);
    expect(during).not.toContain(ciphertext);
    expect(during).not.toContain("a-counted");

    await alice.trpc.room.destroy.mutate({ roomId });
    await waitFor(() => received.some((event) => event.type === "destroyed"), { what: "destroyed" });
    subscription.unsubscribe();
    await waitFor(async () => metricValue(await scrape(), "ephemera_open_event_streams") === 0, {
      what: "the stream to close",
    });
    expect(metricValue(await scrape(), "ephemera_rooms_destroyed_total")).toBe(
      metricValue(before, "ephemera_rooms_destroyed_total") + 1,
    );
  });

  it("reports the stranger queue as aggregates only: waiting, online, this hour's matches and medians", async () => {
    const before = await scrape();
    const [alice, bob] = [new Visitor(server.url), new Visitor(server.url)];
    await alice.open("/stranger");
    await bob.open("/stranger");
    await alice.trpc.match.find.mutate({});
    expect(metricValue(await scrape(), "ephemera_strangers_waiting")).toBe(1);
    const matched = await bob.trpc.match.find.mutate({});
    if (matched.status !== "matched") throw new Error("expected a match");
    await bob.open(`/room/${matched.roomId}`);
    await bob.trpc.match.end.mutate({ roomId: matched.roomId });
    const after = await scrape();
    expect(metricValue(after, "ephemera_strangers_waiting")).toBe(0);
    expect(metricValue(after, "ephemera_stranger_matches_this_hour")).toBe(
      (metricValue(before, "ephemera_stranger_matches_this_hour") || 0) + 1,
    );
    expect(metricValue(after, "ephemera_stranger_median_wait_seconds")).toBeGreaterThan(0);
    expect(metricValue(after, "ephemera_stranger_median_chat_seconds")).toBeGreaterThan(0);
    expect(after).not.toContain(matched.roomId);
  });

  it("does not exist without a token configured", async () => {
    const plain = await startAppServer();
    try {
      expect((await fetch(`${plain.url}/metrics`)).status).toBe(404);
    } finally {
      await plain.stop();
    }
  });
});
