import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAppServerToExit, startAppServer, type AppServer } from "../support/app-server";
import { fromOpaque, opaque, opaqueName } from "../support/opaque";
import { Visitor } from "../support/visitor";
import { waitFor } from "../support/wait-for";

describe("the production server with the in-memory store", () => {
  let server: AppServer;
  beforeAll(async () => {
    server = await startAppServer({ LOG_LEVEL: "info" });
  });
  afterAll(() => server?.stop());

  const post = (path: string, body: string) =>
    fetch(`${server.url}/api/trpc/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body });

  it("says at startup that it is single-instance only", () => {
    expect(server.output()).toMatch(/in-memory store: single instance only/);
  });

  it("answers bad input with 400 and a message naming the field, never a 500", async () => {
    const badTtl = await post("room.create", JSON.stringify({ json: { ttlSeconds: -1 } }));
    expect(badTtl.status).toBe(400);
    const body = (await badTtl.json()) as { error: { json: { message: string; data: { code: string } } } };
    expect(body.error.json.message).toBe("ttlSeconds: must be at least 10 seconds");
    expect(body.error.json.data.code).toBe("BAD_REQUEST");

    expect((await post("room.create", "{not json")).status).toBe(400);
    expect((await post("message.send", JSON.stringify({ json: { roomId: "x" } }))).status).toBe(400);
    expect((await post("room.nope", "{}")).status).toBe(404);
    const wrongMethod = await fetch(`${server.url}/api/trpc/room.create`);
    expect(wrongMethod.status).toBeGreaterThanOrEqual(400);
    expect(wrongMethod.status).toBeLessThan(500);
  });

  it("gives link previews and prefetches a neutral page without a seat or cookie", async () => {
    const owner = new Visitor(server.url);
    const { roomId } = await owner.trpc.room.create.mutate({});
    const previews: Record<string, string>[] = [
      { "user-agent": "Slackbot-LinkExpanding 1.0" },
      { "sec-purpose": "prefetch" },
    ];
    for (const headers of previews) {
      const response = await owner.open(`/room/${roomId}`, headers);
      expect(response.status).toBe(200);
      expect(response.headers.getSetCookie()).toEqual([]);
      expect(await response.text()).toContain("Open the link to join");
    }
    const alice = await new Visitor(server.url).open(`/room/${roomId}`);
    const bob = await new Visitor(server.url).open(`/room/${roomId}`);
    expect([alice.status, bob.status]).toEqual([200, 200]);
  });

  it("serves room pages uncached with a no-referrer policy", async () => {
    const alice = new Visitor(server.url);
    const { roomId } = await alice.trpc.room.create.mutate({});
    const page = await alice.open(`/room/${roomId}`);
    expect(page.headers.get("cache-control")).toBe("no-store");
    expect(await page.text()).toContain('<meta name="referrer" content="no-referrer"/>');
  });

  it("resumes an event stream from the Last-Event-ID header over plain SSE", async () => {
    const alice = new Visitor(server.url);
    const { roomId } = await alice.trpc.room.create.mutate({});
    await alice.open(`/room/${roomId}`);
    for (const text of ["one", "two", "three"])
      await alice.trpc.message.send.mutate({ roomId, ciphertext: opaque(text), clientId: `a-${text}` });

    const controller = new AbortController();
    const input = encodeURIComponent(JSON.stringify({ json: { roomId } }));
    const response = await fetch(`${server.url}/api/trpc/room.events?input=${input}`, {
      headers: { cookie: alice.cookieHeader(), "last-event-id": "2", accept: "text/event-stream" },
      signal: controller.signal,
    });
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    let text = "";
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    const reading = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        text += value;
      }
    })().catch(() => {});
    const messageIds = () =>
      [...text.matchAll(/^data: (.*)$/gm)]
        .map(
          (match) =>
            JSON.parse(match[1] ?? "null") as {
              json?: { type?: string; message?: { id: number; ciphertext: string } };
            },
        )
        .filter((data) => data?.json?.type === "message")
        .map((data) => data.json?.message?.id);
    const messageTexts = () =>
      [...text.matchAll(/^data: (.*)$/gm)]
        .map(
          (match) => JSON.parse(match[1] ?? "null") as { json?: { type?: string; message?: { ciphertext: string } } },
        )
        .flatMap((data) =>
          data?.json?.type === "message" && data.json.message ? [fromOpaque(data.json.message.ciphertext)] : [],
        );
    await waitFor(() => messageIds().length === 1, { what: "event 3" });
    await alice.trpc.message.send.mutate({ roomId, ciphertext: opaque("four"), clientId: "a-four" });
    await waitFor(() => messageIds().length === 2, { what: "event 4, live through the open stream" });
    controller.abort();
    await reading;
    expect(messageIds()).toEqual([3, 4]);
    expect(messageTexts()).toEqual(["three", "four"]);
    expect(text).toMatch(/^id: 3$/m);
    expect(text).toMatch(/^id: 4$/m);
    expect(text).not.toMatch(/^id: [12]$/m);
  });

  it("reports a subscription's errors as tRPC does: code, message and field to the real client", async () => {
    const alice = new Visitor(server.url);
    const { roomId } = await alice.trpc.room.create.mutate({});
    await alice.open(`/room/${roomId}`);
    await alice.trpc.room.destroy.mutate({ roomId });
    const failure = await new Promise<{ data?: { code?: string }; message: string }>((resolve) => {
      const subscription = alice.trpc.room.events.subscribe(
        { roomId },
        {
          onError: (error) => {
            subscription.unsubscribe();
            resolve({ data: { code: error.data?.code }, message: error.message });
          },
        },
      );
    });
    expect(failure.data?.code).toBe("NOT_FOUND");
    expect(failure.message).toBe("This room does not exist or has ended");

    const badInput = await fetch(
      `${server.url}/api/trpc/room.events?input=${encodeURIComponent(JSON.stringify({ json: { roomId: 42 } }))}`,
      {
        headers: { accept: "text/event-stream" },
      },
    );
    const text = await badInput.text();
    expect(text).toMatch(/^event: connected\ndata: \{"reconnectAfterInactivityMs":40000\}/);
    expect(text).toContain("event: serialized-error");
    expect(text).toContain('"code":"BAD_REQUEST"');
    expect(text).toContain("roomId: must be a room id");

    const unparseable = await fetch(`${server.url}/api/trpc/room.events?input=%7Bnot-json`, {
      headers: { accept: "text/event-stream" },
    });
    expect(await unparseable.text()).toContain('"code":"BAD_REQUEST"');
  });

  it("never logs sealed messages, sealed names, public keys, clientIds, tokens or full room ids", async () => {
    const alice = new Visitor(server.url);
    const { roomId } = await alice.trpc.room.create.mutate({});
    await alice.open(`/room/${roomId}`);
    const ciphertext = opaque("PRIVATE-TEXT-7f3a");
    const sealedName = opaqueName("PRIVATE-NAME-9c2e");
    await alice.trpc.message.send.mutate({ roomId, ciphertext, clientId: "PRIVATE-CLIENT-ID-4d1b" });
    await alice.trpc.room.typing.mutate({ roomId, typing: true, name: sealedName });
    await alice.trpc.room.publishKeys.mutate({ roomId, publicKeys: "PRIVATE-KEYS-5e8f" });
    // A refused send is logged too (at most as a client error): still without what it carried.
    await expect(
      alice.trpc.message.send.mutate({ roomId, ciphertext: `${ciphertext}!`, clientId: "c-1" }),
    ).rejects.toThrow();
    await alice.trpc.room.destroy.mutate({ roomId });
    await waitFor(() => server.output().includes("room destroyed"), { what: "the destroy log line" });
    const logs = server.output();
    expect(logs).toContain(roomId.slice(0, 4));
    expect(logs).not.toContain(roomId);
    // The sealed forms are all the server ever had; the plaintexts are checked for good measure.
    expect(logs).not.toContain(ciphertext);
    expect(logs).not.toContain(sealedName);
    expect(logs).not.toContain("PRIVATE-KEYS-5e8f");
    expect(logs).not.toContain("PRIVATE-CLIENT-ID-4d1b");
    expect(logs).not.toContain("PRIVATE-TEXT-7f3a");
    expect(logs).not.toContain("PRIVATE-NAME-9c2e");
    const token = alice.cookieHeader().split("=").slice(1).join("=");
    expect(logs).not.toContain(token);
  });
});

describe("startup configuration", () => {
  it("stops with one clear line when a variable is invalid", async () => {
    const result = await runAppServerToExit({ ROOM_TTL_SECONDS: "forever" });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toEqual([
      "Invalid environment: ROOM_TTL_SECONDS must be a whole number from 10 to 86400",
    ]);
  });

  it("refuses to run several-instance production without a shared SESSION_SECRET", async () => {
    const result = await runAppServerToExit({ NODE_ENV: "production", REDIS_URL: "redis://127.0.0.1:1" });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "SESSION_SECRET is required in production when REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS is set",
    );
  });
});
