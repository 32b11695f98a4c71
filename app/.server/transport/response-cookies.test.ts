import http, { type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { TRPCError } from "@trpc/server";
import { nodeHTTPRequestHandler } from "@trpc/server/adapters/node-http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { makeServices } from "../../../tests/support/app";
import { createContext } from "../trpc/context";
import { publicProcedure, router } from "../trpc/trpc";
import { trpcHandlerOptions } from "./handler-options";
import { isProcedureBatch, serveProcedureBatch } from "./procedure-batch";
import { ResponseCookies } from "./response-cookies";
import { serveRoomEvents } from "./room-events-sse";

/** Only here: the production router has no procedure that sets a cookie yet. */
const cookieRouter = router({
  jar: router({
    fill: publicProcedure.input(z.object({ flavour: z.string() })).mutation(({ ctx, input }) => {
      ctx.setCookie(`${input.flavour}=1; Path=/; HttpOnly; SameSite=Lax`);
      ctx.setCookie(`${input.flavour}_too=2; Path=/; HttpOnly; SameSite=Lax`);
      return { ok: true };
    }),
    // A revoked session: its cookie is cleared and the call still fails.
    clearAndRefuse: publicProcedure.mutation(({ ctx }) => {
      ctx.setCookie("gone=; Max-Age=0; Path=/");
      throw new TRPCError({ code: "UNAUTHORIZED", message: "Signed out" });
    }),
  }),
});

const headersOf = (req: IncomingMessage) => ({
  get: (name: string) => {
    const value = req.headers[name.toLowerCase()];
    return Array.isArray(value) ? value.join(", ") : (value ?? null);
  },
});

type Lane = "adapter" | "batch";

describe("cookies set by procedures reach the browser on every path that runs mutations", () => {
  const services = makeServices("memory");
  const options = { ...trpcHandlerOptions, router: cookieRouter };
  let url: string;
  let server: http.Server;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const target = new URL(req.url ?? "/", "http://localhost");
      const path = target.pathname.replace(/^\/api\/trpc\//, "");
      const context = () => createContext(headersOf(req), services, "203.0.113.9");
      if (req.headers["x-lane"] === "batch") {
        if (!isProcedureBatch(req, path, cookieRouter)) return void res.writeHead(418).end();
        void serveProcedureBatch(req, res, path, target.searchParams, {
          ...options,
          maxBodyBytes: 4096,
          createContext: context,
        });
        return;
      }
      void nodeHTTPRequestHandler({ ...options, req, res, path, maxBodySize: 4096, createContext: context });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => server.close());

  const post = (lane: Lane, path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${url}/api/trpc/${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-lane": lane, ...headers },
      body: JSON.stringify(body),
    });

  for (const lane of ["adapter", "batch"] as const) {
    it(`${lane}: each cookie of each call is a Set-Cookie header of its own`, async () => {
      const single = await post(lane, "jar.fill", { json: { flavour: "oat" } });
      expect(single.status).toBe(200);
      expect(single.headers.getSetCookie()).toEqual([
        "oat=1; Path=/; HttpOnly; SameSite=Lax",
        "oat_too=2; Path=/; HttpOnly; SameSite=Lax",
      ]);
      expect(single.headers.get("cache-control")).toBe("no-store");

      const batch = await post(lane, "jar.fill,jar.fill?batch=1", {
        0: { json: { flavour: "a" } },
        1: { json: { flavour: "b" } },
      });
      expect(batch.status).toBe(200);
      expect(batch.headers.getSetCookie().sort()).toEqual(
        ["a=1", "a_too=2", "b=1", "b_too=2"].map((pair) => `${pair}; Path=/; HttpOnly; SameSite=Lax`),
      );
    });

    it(`${lane}: a cookie set by a call that then fails still goes out with its error`, async () => {
      const response = await post(lane, "jar.clearAndRefuse?batch=1", { 0: { json: null } });
      expect(response.status).toBe(401);
      expect(response.headers.getSetCookie()).toEqual(["gone=; Max-Age=0; Path=/"]);
    });

    it(`${lane}: a request whose calls set nothing has no Set-Cookie`, async () => {
      const response = await post(lane, "jar.fill?batch=1", { 0: { json: { flavour: 7 } } });
      expect(response.status).toBe(400);
      expect(response.headers.getSetCookie()).toEqual([]);
    });
  }

  it("a streamed (JSONL) batch, whose head is out before its calls run, fails a call that sets a cookie", async () => {
    const response = await post(
      "adapter",
      "jar.fill?batch=1",
      { 0: { json: { flavour: "late" } } },
      { "trpc-accept": "application/jsonl" },
    );
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(await response.text()).toContain("A cookie cannot be set here: a streamed answer");
  });

  it("an event stream closes its cookies before it writes its head", async () => {
    const ctx = createContext(new Headers(), services, "203.0.113.9");
    const streams = http.createServer((req, res) => void serveRoomEvents(req, res, ctx));
    await new Promise<void>((resolve) => streams.listen(0, "127.0.0.1", resolve));
    try {
      // An input that fails validation: the stream opens, says why, and ends.
      const response = await fetch(
        `http://127.0.0.1:${(streams.address() as AddressInfo).port}/api/trpc/room.events?input=%7B%7D`,
      );
      expect(await response.text()).toContain("serialized-error");
      expect(() => ctx.setCookie("late=1")).toThrow(/event stream/);
    } finally {
      streams.close();
    }
  });
});

describe("ResponseCookies", () => {
  it("refuses a cookie that would start another header", () => {
    expect(() => new ResponseCookies().set("a=1\r\nLocation: https://evil.example")).toThrow(/one line/);
  });

  it("keeps what server-side callers set, for them to read", () => {
    const ctx = createContext(new Headers(), makeServices("memory"));
    ctx.setCookie("a=1");
    expect(ctx.responseCookies.pending).toEqual(["a=1"]);
  });
});
