import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "../support/app-server";
import { opaque } from "../support/opaque";
import { Visitor } from "../support/visitor";
import { waitFor } from "../support/wait-for";

describe("the production HTTP layer", () => {
  let server: AppServer;
  beforeAll(async () => {
    server = await startAppServer({ LOG_LEVEL: "info", MAX_BODY_BYTES: "4096" });
  });
  afterAll(() => server?.stop());

  /** The server's log line for the request with this X-Request-Id, parsed, once it is written. */
  async function logLine(requestId: string): Promise<unknown> {
    const line = await waitFor(
      () =>
        server
          .output()
          .split("\n")
          .find((entry) => entry.includes(requestId)),
      {
        what: `the log line of request ${requestId}`,
      },
    );
    return JSON.parse(line);
  }

  function expectSecurityHeaders(response: Response, { document = true } = {}) {
    const csp = response.headers.get("content-security-policy") ?? "";
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).toContain("frame-ancestors 'none'");
    if (document) {
      // Documents allow their own nonce'd inline scripts and nothing from elsewhere.
      expect(/script-src ([^;]*)/.exec(csp)?.[1]).toMatch(/^'self' 'nonce-[\w-]{22}'$/);
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("object-src 'none'");
      expect(response.headers.get("cross-origin-opener-policy")).toBe("same-origin");
    } else {
      // API answers are never documents: they may load nothing at all (decision 033).
      expect(csp).toBe("default-src 'none';frame-ancestors 'none'");
      expect(response.headers.get("x-xss-protection")).toBeNull();
      expect(response.headers.get("origin-agent-cluster")).toBeNull();
    }
    expect(response.headers.get("cross-origin-resource-policy")).toBe("same-origin");
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("strict-transport-security")).toMatch(/^max-age=\d{8,}; includeSubDomains$/);
    return /'nonce-([^']+)'/.exec(csp)?.[1] ?? "";
  }

  it("sends strict security headers on the lobby, a room and the API, with a fresh nonce on every page", async () => {
    const alice = new Visitor(server.url);
    const lobby = await alice.open("/");
    const lobbyNonce = expectSecurityHeaders(lobby);
    const html = await lobby.text();
    const inlineScripts = [...html.matchAll(/<script(?![^>]*\bsrc=)([^>]*)>/g)].map((match) => match[1] ?? "");
    expect(inlineScripts.length).toBeGreaterThan(0);
    for (const attributes of inlineScripts) expect(attributes).toContain(`nonce="${lobbyNonce}"`);

    const { roomId } = await alice.trpc.room.create.mutate({});
    const room = await alice.open(`/room/${roomId}`);
    expect(room.status).toBe(200);
    expect(expectSecurityHeaders(room)).not.toBe(lobbyNonce);

    const input = encodeURIComponent(JSON.stringify({ json: { roomId } }));
    const api = await fetch(`${server.url}/api/trpc/room.ttl?input=${input}`, {
      headers: { cookie: alice.cookieHeader() },
    });
    expect(api.status).toBe(200);
    expectSecurityHeaders(api, { document: false });

    // Sends and event streams take the hot lane past Express (server/hot-lane.ts): same headers.
    const send = await fetch(`${server.url}/api/trpc/message.send?batch=1`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: alice.cookieHeader() },
      body: JSON.stringify({ 0: { json: { roomId, ciphertext: opaque("headers"), clientId: "h-1" } } }),
    });
    expect(send.status).toBe(200);
    expectSecurityHeaders(send, { document: false });
    expect(send.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const controller = new AbortController();
    const stream = await fetch(`${server.url}/api/trpc/room.events?input=${input}`, {
      headers: { cookie: alice.cookieHeader(), accept: "text/event-stream" },
      signal: controller.signal,
    });
    expect(stream.status).toBe(200);
    // Written from one list, not kept in Node's header table for the stream's life: all there.
    expectSecurityHeaders(stream, { document: false });
    expect(stream.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(stream.headers.get("content-type")).toBe("text/event-stream");
    expect(stream.headers.get("cache-control")).toContain("no-cache");
    controller.abort();
  });

  it("sends scripts compressed at build time, with the same bytes as the plain file, cached for good", async () => {
    const lobby = await (await fetch(`${server.url}/`)).text();
    // The lobby's largest script, whatever the bundler named its chunks this time.
    const scripts = [...new Set(lobby.match(/\/assets\/[\w.-]+\.js/g) ?? [])];
    expect(scripts.length).toBeGreaterThan(0);
    const plains = await Promise.all(
      scripts.map(async (path) => {
        const response = await fetch(`${server.url}${path}`, { headers: { "accept-encoding": "identity" } });
        return { path, encoding: response.headers.get("content-encoding"), text: await response.text() };
      }),
    );
    const largest = plains.reduce((a, b) => (b.text.length > a.text.length ? b : a));
    expect(largest.encoding).toBeNull();
    const [script, original] = [largest.path, largest.text];
    for (const [accepted, encoding] of [
      ["gzip, deflate, br, zstd", "br"],
      ["gzip", "gzip"],
    ] as const) {
      const packed = await fetch(`${server.url}${script}`, { headers: { "accept-encoding": accepted } });
      expect(packed.headers.get("content-encoding")).toBe(encoding);
      expect(packed.headers.get("vary")).toMatch(/accept-encoding/i);
      expect(packed.headers.get("cache-control")).toContain("immutable");
      // Sent as stored: a length known up front, not a stream compressed on the way out.
      expect(Number(packed.headers.get("content-length") ?? Number.NaN)).toBeLessThan(original.length / 2);
      expect(await packed.text()).toBe(original);
    }
  });

  it("compresses pages, but not JSON answers, and never an event stream, whose events arrive while it stays open", async () => {
    const page = await fetch(`${server.url}/`, { headers: { "accept-encoding": "gzip" } });
    expect(page.headers.get("content-encoding")).toBe("gzip");
    // What Chrome accepts gets brotli, with a window small enough to be cheap to set up per
    // response (http-app.ts), and it still decodes to the whole page.
    const chromePage = await fetch(`${server.url}/`, { headers: { "accept-encoding": "gzip, deflate, br, zstd" } });
    expect(chromePage.headers.get("content-encoding")).toBe("br");
    expect(await chromePage.text()).toMatch(/^<!DOCTYPE html>[\s\S]*<\/html>$/i);
    // Rendered whole (decision 014): a client that takes it as it is gets its length up front.
    const plainPage = await fetch(`${server.url}/`, { headers: { "accept-encoding": "identity" } });
    const plainBytes = new Uint8Array(await plainPage.arrayBuffer());
    expect(plainPage.headers.get("content-encoding")).toBeNull();
    expect(plainPage.headers.get("transfer-encoding")).toBeNull();
    expect(Number(plainPage.headers.get("content-length"))).toBe(plainBytes.length);
    expect(plainPage.headers.get("content-type")).toBe("text/html; charset=utf-8");

    const alice = new Visitor(server.url);
    const { roomId } = await alice.trpc.room.create.mutate({});
    await alice.open(`/room/${roomId}`);
    // Loader data, the route manifest, tRPC queries: small, or ciphertext that barely
    // compresses; compressing them cost more CPU than it saved bytes (decision 010).
    const data = await alice.open(`/room/${roomId}?_data=${encodeURIComponent("routes/room.$roomId")}`, {
      "accept-encoding": "gzip, deflate, br, zstd",
    });
    expect(data.headers.get("content-type")).toMatch(/^application\/json/);
    expect(data.headers.get("content-encoding")).toBeNull();
    expect(await data.json()).toMatchObject({ roomId });
    const controller = new AbortController();
    const input = encodeURIComponent(JSON.stringify({ json: { roomId } }));
    const stream = await fetch(`${server.url}/api/trpc/room.events?input=${input}`, {
      headers: { cookie: alice.cookieHeader(), accept: "text/event-stream", "accept-encoding": "gzip, br" },
      signal: controller.signal,
    });
    expect(stream.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(stream.headers.get("content-encoding")).toBeNull();
    // Delimited by the connection, not chunked: each event is one write (room-events-sse.ts).
    expect(stream.headers.get("transfer-encoding")).toBeNull();
    expect(stream.headers.get("connection")).toBe("close");
    let text = "";
    const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
    void (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        text += value;
      }
    })().catch(() => {});
    await waitFor(() => text.includes('"members"'), { what: "the stream to open" });
    const sentAt = Date.now();
    await alice.trpc.message.send.mutate({ roomId, ciphertext: opaque("prompt"), clientId: "a-prompt" });
    await waitFor(() => text.includes(opaque("prompt")), { what: "the event", timeoutMs: 2000 });
    expect(Date.now() - sentAt).toBeLessThan(1000);
    controller.abort();
  });

  it("answers an unknown address with a 404 page and an undecodable one with a 400 page, both in the app's look", async () => {
    for (const path of ["/definitely/not/here", "/room/"]) {
      const response = await fetch(`${server.url}${path}`, { redirect: "manual" });
      expect({ path, status: response.status }).toEqual({ path, status: 404 });
      expect(response.headers.get("content-type")).toMatch(/^text\/html/);
      const page = await response.text();
      expect(page).toContain("Nothing here");
      expect(page).toContain('href="/"');
      expect(page).not.toContain("No route matches");
    }
    for (const path of ["/room/%E0%A4%A", "/room/abc%E0", "/%E0%A4%A/x.js", "/bad-address%"]) {
      const response = await fetch(`${server.url}${path}`, { redirect: "manual" });
      expect({ path, status: response.status }).toEqual({ path, status: 400 });
      expectSecurityHeaders(response);
      expect(response.headers.get("content-type")).toMatch(/^text\/html/);
      const page = await response.text();
      expect(page).toContain("This link is damaged");
      expect(page).toMatch(/<link rel="stylesheet" href="\/assets\/tailwind-[\w-]+\.css"/);
      // The browser keeps showing the garbled address, which no router could match: no scripts.
      expect(page).not.toContain("<script");
    }
    // Asked for by name, the page for undecodable addresses is just another unknown address.
    expect((await fetch(`${server.url}/bad-address`)).status).toBe(404);
  });

  it("answers health and readiness", async () => {
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready", store: "memory" });
  });

  it("refuses oversized bodies with 413 and a clear message, and bodies of unknown length with 411", async () => {
    const big = await fetch(`${server.url}/api/trpc/room.create`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ json: { ttlSeconds: 60, padding: "x".repeat(5000) } }),
    });
    expect(big.status).toBe(413);
    const body = (await big.json()) as { error: { json: { message: string; data: { code: string } } } };
    expect(body.error.json).toMatchObject({
      message: "Request body too large: at most 4096 bytes",
      data: { code: "PAYLOAD_TOO_LARGE" },
    });

    const chunked = await fetch(`${server.url}/api/trpc/room.create`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode("{}"));
          controller.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect(chunked.status).toBe(411);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

    // A malformed escape in a tRPC path is a client error, never a crash.
    const malformed = await fetch(`${server.url}/api/trpc/message.send%E0%A4%A?batch=1`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(malformed.status).toBeGreaterThanOrEqual(400);
    expect(malformed.status).toBeLessThan(500);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it("logs each request as JSON with its id and a redacted path", async () => {
    const alice = new Visitor(server.url);
    const { roomId } = await alice.trpc.room.create.mutate({});
    const response = await fetch(`${server.url}/room/${roomId}?utm=secret-query`, {
      headers: { "x-request-id": "trace-abc-123", "user-agent": "Mozilla/5.0 Chrome/156" },
      redirect: "manual",
    });
    expect(response.headers.get("x-request-id")).toBe("trace-abc-123");
    expect(await logLine("trace-abc-123")).toMatchObject({
      reqId: "trace-abc-123",
      method: "GET",
      path: `/room/${roomId.slice(0, 4)}…`,
      status: 200,
      msg: "request",
    });
    expect(server.output()).not.toContain(roomId);
    expect(server.output()).not.toContain("secret-query");
    expect((await fetch(`${server.url}/healthz`)).headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);

    // A send, answered in the hot lane, is logged the same way.
    await alice.open(`/room/${roomId}`);
    await fetch(`${server.url}/api/trpc/message.send?batch=1`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: alice.cookieHeader(), "x-request-id": "trace-send-456" },
      body: JSON.stringify({ 0: { json: { roomId, ciphertext: opaque("logged"), clientId: "l-1" } } }),
    });
    expect(await logLine("trace-send-456")).toMatchObject({
      reqId: "trace-send-456",
      method: "POST",
      path: "/api/trpc/message.send",
      status: 200,
    });
    expect(server.output()).not.toContain(opaque("logged"));
  });
});

describe("graceful shutdown", () => {
  it("ends open event streams and exits cleanly within the timeout on SIGTERM", async () => {
    const server = await startAppServer({ LOG_LEVEL: "info", SHUTDOWN_TIMEOUT_MS: "10000" });
    const alice = new Visitor(server.url);
    const { roomId } = await alice.trpc.room.create.mutate({});
    await alice.open(`/room/${roomId}`);
    const input = encodeURIComponent(JSON.stringify({ json: { roomId } }));
    const stream = await fetch(`${server.url}/api/trpc/room.events?input=${input}`, {
      headers: { cookie: alice.cookieHeader(), accept: "text/event-stream" },
    });
    const reader = stream.body!.getReader();
    await reader.read();
    const ended = (async () => {
      try {
        while (!(await reader.read()).done) {
          // drain until the server cuts the stream
        }
      } catch {
        // a cut connection is an end too
      }
    })();

    const started = Date.now();
    await server.stop(15_000);
    await ended;
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(server.output()).toContain('"msg":"shutting down"');
    expect(server.output()).toContain('"openStreams":1');
    expect(server.output()).toContain("shut down cleanly");
  });
});
