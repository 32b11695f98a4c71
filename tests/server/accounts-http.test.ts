import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { deriveAccountKeys, type KdfParams } from "~/lib/crypto/account-kdf";
import { unwrapIdentity } from "~/lib/crypto/identity-keys";
import { fakeSignUp } from "../support/account-browser";
import { uniqueUsername } from "../support/account-stores";
import { startAppServer, type AppServer } from "../support/app-server";
import { openEventStream } from "../support/event-stream";
import { createTestDatabase, type TestDatabase } from "../support/postgres-server";
import { waitFor } from "../support/wait-for";

const EVIL = "https://evil.example";
const SECRET = "accounts-http-test-secret-0123456789abcdef";
const DEMO_PASSWORD = "correct horse battery staple";

interface Answer<T> {
  status: number;
  setCookies: string[];
  data: T;
  error?: { message: string; data: { code: string } };
}

/** A tRPC call over HTTP as the app's browser client makes it (superjson body, optional batch). */
async function call<T>(
  server: AppServer,
  path: string,
  input: unknown,
  {
    cookie,
    headers = {},
    batch = false,
    method = "POST",
  }: { cookie?: string | null; headers?: Record<string, string>; batch?: boolean; method?: string } = {},
): Promise<Answer<T>> {
  const wire = JSON.stringify(batch ? { 0: { json: input } } : { json: input });
  const query =
    method === "GET" ? `?${batch ? "batch=1&" : ""}input=${encodeURIComponent(wire)}` : batch ? "?batch=1" : "";
  const response = await fetch(`${server.url}/api/trpc/${path}${query}`, {
    method,
    headers: { "content-type": "application/json", ...(cookie ? { cookie } : {}), ...headers },
    ...(method === "POST" ? { body: wire } : {}),
  });
  const parsed = (await response.json()) as unknown;
  const one = (batch ? (parsed as unknown[])[0] : parsed) as {
    result?: { data: { json: T } };
    error?: { json: Answer<T>["error"] };
  };
  return {
    status: response.status,
    setCookies: response.headers.getSetCookie(),
    data: one.result?.data.json as T,
    error: one.error?.json,
  };
}

const pairOf = (setCookie: string | undefined) => (setCookie ?? "").split(";")[0]!;

describe("accounts over HTTP (production server, memory accounts, demo accounts on)", () => {
  let server: AppServer;
  beforeAll(async () => {
    server = await startAppServer({ DEMO_ACCOUNTS: "on" });
    await waitFor(() => server.output().includes("Demo accounts"), { timeoutMs: 15_000, what: "the demo accounts" });
  });
  afterAll(() => server?.stop());

  it("says once that the demo accounts exist, and never logs the password", () => {
    expect(server.output().match(/Demo accounts alice and bob exist/g)).toHaveLength(1);
    expect(server.output()).not.toContain(DEMO_PASSWORD);
    expect(server.output()).toContain("Accounts are kept in memory");
  });

  it("sign-up sets an HttpOnly, SameSite=Lax session cookie, on the mutation batch and on tRPC's adapter alike", async () => {
    for (const batch of [true, false]) {
      const input = fakeSignUp(uniqueUsername("http"));
      const signedUp = await call<{ username: string }>(server, "account.signUp", input, { batch });
      expect(signedUp.status).toBe(200);
      expect(signedUp.data).toEqual({ username: input.username });
      expect(signedUp.setCookies).toHaveLength(1);
      // Production, reached on a loopback host: not Secure (plain HTTP must work for `npm start`).
      expect(signedUp.setCookies[0]).toMatch(
        /^ephemera_session=[\w-]{43}; Max-Age=2592000; Path=\/; HttpOnly; SameSite=Lax$/,
      );
      const me = await call<{ username: string } | null>(
        server,
        "account.me",
        {},
        { method: "GET", cookie: pairOf(signedUp.setCookies[0]) },
      );
      expect(me.data?.username).toBe(input.username);
    }
  });

  it("serves an account's chat list stream on the lean event-stream writer, and refuses it signed out", async () => {
    const input = fakeSignUp(uniqueUsername("sse"));
    const signedUp = await call<{ username: string }>(server, "account.signUp", input, { batch: true });
    const controller = new AbortController();
    const response = await fetch(`${server.url}/api/trpc/chat.events`, {
      headers: { accept: "text/event-stream", cookie: pairOf(signedUp.setCookies[0]) },
      signal: controller.signal,
    });
    // tRPC's own producer keeps the connection and frames the body in chunks; the lean writer does neither.
    expect(response.status).toBe(200);
    expect(response.headers.get("connection")).toBe("close");
    expect(response.headers.get("transfer-encoding")).toBeNull();
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    // At once: nothing may have happened in the account's chats for hours.
    const first = await Promise.race([
      reader.read(),
      new Promise<null>((resolve) => setTimeout(() => resolve(null), 5000)),
    ]);
    expect(first?.value).toMatch(/^event: connected\n/);
    controller.abort();
    const refused = await openEventStream(server.url, "chat.events", {}, {});
    expect(refused.refused).toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("names the cookie __Host- and makes it Secure for a site's own host name in production", async () => {
    // fetch() will not send another Host than the URL's: a plain node:http request does.
    const body = JSON.stringify({ 0: { json: fakeSignUp(uniqueUsername("secure")) } });
    const { status, setCookies } = await new Promise<{ status: number; setCookies: string[] }>((resolve, reject) => {
      const request = httpRequest(
        `${server.url}/api/trpc/account.signUp?batch=1`,
        { method: "POST", headers: { host: "chat.example.org", "content-type": "application/json" } },
        (response) => {
          response.resume();
          response.on("end", () =>
            resolve({ status: response.statusCode ?? 0, setCookies: response.headers["set-cookie"] ?? [] }),
          );
        },
      );
      request.on("error", reject);
      request.end(body);
    });
    expect(status).toBe(200);
    expect(setCookies[0]).toMatch(
      /^__Host-ephemera_session=[\w-]{43}; Max-Age=2592000; Path=\/; HttpOnly; SameSite=Lax; Secure$/,
    );
  });

  it("signs alice in with the published password, derived as her browser would, and refuses a wrong one alike", async () => {
    const salt = await call<{ kdf: KdfParams }>(server, "account.salt", { username: "Alice" }, { method: "GET" });
    const keys = await deriveAccountKeys(DEMO_PASSWORD, salt.data.kdf);
    const signedIn = await call<{ username: string; identity: Parameters<typeof unwrapIdentity>[0] }>(
      server,
      "account.signIn",
      { username: "alice", authKey: keys.authKey },
      { batch: true },
    );
    expect(signedIn.status).toBe(200);
    await expect(unwrapIdentity(signedIn.data.identity, keys.wrappingKey, "alice")).resolves.toBeTruthy();
    const cookie = pairOf(signedIn.setCookies[0]);

    const wrong = await call(server, "account.signIn", { username: "alice", authKey: "A".repeat(43) }, { batch: true });
    const unknown = await call(
      server,
      "account.signIn",
      { username: uniqueUsername("nobody"), authKey: "A".repeat(43) },
      { batch: true },
    );
    expect(wrong.status).toBe(401);
    expect([unknown.status, unknown.error?.message]).toEqual([wrong.status, wrong.error?.message]);
    expect(wrong.setCookies).toEqual([]);

    const signedOut = await call(server, "account.signOut", {}, { batch: true, cookie });
    expect(signedOut.setCookies[0]).toMatch(/^ephemera_session=; Max-Age=0/);
    const after = await call(server, "account.sessions", {}, { method: "GET", cookie });
    expect([after.status, after.error?.message]).toEqual([401, "Sign in first"]);
  });

  it("refuses a cross-site sign-in POST (JSON, form, text/plain) with 403 before anything runs", async () => {
    const input = JSON.stringify({ json: { username: "alice", authKey: "A".repeat(43) } });
    const attempts = [
      { type: "application/json", body: input },
      { type: "text/plain", body: input },
      { type: "application/x-www-form-urlencoded", body: `${encodeURIComponent(input)}=` },
    ];
    for (const { type, body } of attempts) {
      const response = await fetch(`${server.url}/api/trpc/account.signIn`, {
        method: "POST",
        headers: { "content-type": type, origin: EVIL, "sec-fetch-site": "cross-site" },
        body,
      });
      expect(response.status, type).toBe(403);
      expect(response.headers.getSetCookie()).toEqual([]);
    }
  });
});

describe("accounts over HTTP with PostgreSQL", () => {
  let database: TestDatabase;
  let server: AppServer;
  const env = () => ({ DATABASE_URL: database.url, SESSION_SECRET: SECRET });

  beforeAll(async () => {
    database = await createTestDatabase(inject("postgresAdminUrl"));
    server = await startAppServer(env());
  });
  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it("is ready with the database, and keeps an account (keys sealed and readable) across a restart", async () => {
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(server.output()).toContain("Accounts are kept in PostgreSQL");

    const input = fakeSignUp(uniqueUsername("durable"));
    expect((await call(server, "account.signUp", input, { batch: true })).status).toBe(200);
    await server.stop();
    server = await startAppServer(env());
    const signedIn = await call<{ identity: unknown }>(
      server,
      "account.signIn",
      { username: input.username, authKey: input.authKey },
      { batch: true },
    );
    expect(signedIn.status).toBe(200);
    expect(signedIn.data.identity).toEqual(input.identity);
    // The log never names the account.
    expect(server.output()).not.toContain(input.username);
  });

  it("is not ready while the database cannot be reached", async () => {
    await database.drop();
    await waitFor(async () => (await fetch(`${server.url}/readyz`)).status === 503, {
      timeoutMs: 10_000,
      what: "/readyz to fail",
    });
    const body = (await (await fetch(`${server.url}/readyz`)).json()) as { reason: string };
    expect(body.reason).toMatch(/^accounts database unreachable/);
    expect(body.reason).not.toContain(SECRET);
  });
});
