import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "../support/app-server";
import { metricValue } from "../support/metric-value";
import { opaque } from "../support/opaque";
import { memberOfNewRoom, type Visitor } from "../support/visitor";

const METRICS_TOKEN = "metrics-token-cross-site-0123";
const EVIL = "https://evil.example";

interface Refusal {
  message: string;
  code: number;
  data: { code: string; httpStatus: number };
}

/**
 * What a page of another site can make a browser send without asking the server first (a form,
 * or `fetch` with a simple content type), and a JSON POST, which needs a preflight the server
 * never grants but is refused all the same. Against the production server: form and text bodies
 * go to tRPC's adapter, JSON mutations to the hot lane.
 */
describe("cross-site mutations against the production server", () => {
  let server: AppServer;
  let alice: Visitor;
  let roomId: string;

  beforeAll(async () => {
    server = await startAppServer({ METRICS_TOKEN });
    ({ member: alice, roomId } = await memberOfNewRoom(server.url));
  });
  afterAll(() => server?.stop());

  const roomsCreated = async () => {
    const response = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    return metricValue(await response.text(), "ephemera_rooms_created_total");
  };
  const post = (path: string, contentType: string, body: string, headers: Record<string, string>) =>
    fetch(`${server.url}/api/trpc/${path}`, {
      method: "POST",
      headers: { "content-type": contentType, cookie: alice.cookieHeader(), ...headers },
      body,
    });
  const messages = async () => (await alice.trpc.message.list.query({ roomId })).messages.length;

  const bodies = [
    {
      what: "a form (application/x-www-form-urlencoded)",
      type: "application/x-www-form-urlencoded",
      body: `${encodeURIComponent('{"json":{}}')}=`,
    },
    { what: "a text/plain fetch or form", type: "text/plain", body: '{"json":{}}' },
    { what: "a JSON fetch (the hot lane)", type: "application/json", body: '{"json":{}}' },
    { what: "a JSON batch (the hot lane)", type: "application/json", body: '{"0":{"json":{}}}', batch: true },
  ];
  const browsers: Array<{ what: string; headers: Record<string, string> }> = [
    { what: "Origin of another site", headers: { origin: EVIL, "sec-fetch-site": "cross-site" } },
    { what: "Sec-Fetch-Site cross-site, no Origin", headers: { "sec-fetch-site": "cross-site" } },
    { what: "Origin null (a sandboxed frame)", headers: { origin: "null" } },
  ];

  for (const { what, type, body, batch } of bodies) {
    it(`refuses ${what} from another site with 403 FORBIDDEN, creating no room`, async () => {
      const before = await roomsCreated();
      for (const browser of browsers) {
        const response = await post(`room.create${batch ? "?batch=1" : ""}`, type, body, browser.headers);
        expect(response.status, browser.what).toBe(403);
        expect(response.headers.get("cache-control")).toBe("no-store");
        const refusal = ((await response.json()) as { error: { json: Refusal } }).error.json;
        expect(refusal, browser.what).toMatchObject({ code: -32003, data: { code: "FORBIDDEN", httpStatus: 403 } });
        expect(refusal.message).toMatch(/another site/);
      }
      expect(await roomsCreated()).toBe(before);
    });
  }

  it("refuses a member's cross-site send (their room cookie goes with it): nothing is stored", async () => {
    const send = JSON.stringify({ 0: { json: { roomId, ciphertext: opaque("forged"), clientId: "x-1" } } });
    const form = `${encodeURIComponent(JSON.stringify({ json: { roomId, ciphertext: opaque("forged"), clientId: "x-2" } }))}=`;
    expect((await post("message.send?batch=1", "application/json", send, { origin: EVIL })).status).toBe(403);
    expect(
      (await post("message.send", "text/plain", JSON.stringify({ json: { roomId } }), { origin: EVIL })).status,
    ).toBe(403);
    expect((await post("message.send", "application/x-www-form-urlencoded", form, { origin: EVIL })).status).toBe(403);
    expect(
      (await post("room.destroy", "application/json", JSON.stringify({ json: { roomId } }), { origin: EVIL })).status,
    ).toBe(403);
    expect(await messages()).toBe(0);
  });

  it("passes the app's own browser requests (Origin is this site) and requests with neither header", async () => {
    const own = { origin: server.url, "sec-fetch-site": "same-origin" };
    const before = await roomsCreated();
    const created = await post("room.create", "application/json", '{"json":{}}', own);
    expect(created.status).toBe(200);
    const adapter = await post("room.create?batch=1", "application/json", '{"0":{"json":{}}}', {
      ...own,
      "trpc-accept": "application/jsonl",
    });
    expect(adapter.status).toBe(200);
    await adapter.text();
    expect(await roomsCreated()).toBe(before + 2);

    const send = JSON.stringify({ 0: { json: { roomId, ciphertext: opaque("mine"), clientId: "own-1" } } });
    expect((await post("message.send?batch=1", "application/json", send, own)).status).toBe(200);
    // No Origin, no Sec-Fetch-Site: curl, another server, the test clients.
    await alice.trpc.message.send.mutate({ roomId, ciphertext: opaque("also mine"), clientId: "own-2" });
    expect(await messages()).toBe(2);
  });

  it("leaves GET queries alone: they change nothing", async () => {
    const input = encodeURIComponent(JSON.stringify({ json: { roomId } }));
    const response = await fetch(`${server.url}/api/trpc/room.ttl?input=${input}`, {
      headers: { cookie: alice.cookieHeader(), origin: EVIL, "sec-fetch-site": "cross-site" },
    });
    expect(response.status).toBe(200);
  });
});
