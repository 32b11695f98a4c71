import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROME_UA } from "../support/app";
import { startAppServer, type AppServer } from "../support/app-server";
import { Visitor } from "../support/visitor";

/** The `name=value` a visitor holds for cookie `name`. */
function cookieValue(visitor: Visitor, name: string): string {
  const pair = visitor
    .cookieHeader()
    .split("; ")
    .find((part) => part.startsWith(`${name}=`));
  if (!pair) throw new Error(`no ${name} cookie`);
  return pair.slice(name.length + 1);
}

const openWith = (server: AppServer, path: string, cookie: string) =>
  fetch(`${server.url}${path}`, { redirect: "manual", headers: { cookie, "user-agent": CHROME_UA } });

describe("a room cookie renamed after another room", () => {
  let server: AppServer;
  beforeAll(async () => {
    // Every client here is 127.0.0.1: two new seats a minute between them.
    server = await startAppServer({ RATE_LIMITS: "on", RATE_LIMIT_JOINS_PER_MINUTE: "2" });
  });
  afterAll(() => server?.stop());

  it("is no cookie: a new visitor, held to the limit on new seats", async () => {
    const [alice, bob, carol, mallory] = [1, 2, 3, 4].map(() => new Visitor(server.url));
    const { roomId: roomA } = await alice!.trpc.room.create.mutate({});
    const { roomId: roomB } = await bob!.trpc.room.create.mutate({});
    expect((await alice!.open(`/room/${roomA}`)).status).toBe(200);
    expect((await carol!.open(`/room/${roomB}`)).status).toBe(200);
    // The visitor cookie of "Talk to a stranger" costs no seat.
    expect((await mallory!.open("/stranger")).status).toBe(200);
    expect((await new Visitor(server.url).open(`/room/${roomB}`)).status).toBe(429);

    const renamed = {
      "room A's cookie": `eph_${roomB}=${cookieValue(alice!, `eph_${roomA}`)}`,
      "a visitor cookie": `eph_${roomB}=${cookieValue(mallory!, "eph_v")}`,
    };
    for (const [what, cookie] of Object.entries(renamed)) {
      const response = await openWith(server, `/room/${roomB}`, cookie);
      expect({ what, status: response.status }).toEqual({ what, status: 429 });
      expect(response.headers.get("set-cookie")).toBeNull();
    }
    // A returning member is never limited.
    expect((await alice!.open(`/room/${roomA}`)).status).toBe(200);
  });
});

describe("HEAD on a room's link", () => {
  let server: AppServer;
  beforeAll(async () => {
    server = await startAppServer();
  });
  afterAll(() => server?.stop());

  it("takes no seat, even from a browser's user agent, and answers 200 without a cookie", async () => {
    const owner = new Visitor(server.url);
    const { roomId } = await owner.trpc.room.create.mutate({});
    for (let index = 0; index < 3; index += 1) {
      const head = await fetch(`${server.url}/room/${roomId}`, {
        method: "HEAD",
        headers: { "user-agent": CHROME_UA },
      });
      expect(head.status).toBe(200);
      expect(head.headers.get("set-cookie")).toBeNull();
      expect(head.headers.get("content-type")).toMatch(/^text\/html/);
    }
    const [alice, bob, carol] = [1, 2, 3].map(() => new Visitor(server.url));
    expect((await alice!.open(`/room/${roomId}`)).status).toBe(200);
    expect((await bob!.open(`/room/${roomId}`)).status).toBe(200);
    const third = await carol!.open(`/room/${roomId}`);
    expect(third.status).toBe(302);
    expect(third.headers.get("location")).toBe("/?error=room-full");
  });

  it("of the stranger page hands out no visitor cookie", async () => {
    const head = await fetch(`${server.url}/stranger`, { method: "HEAD", headers: { "user-agent": CHROME_UA } });
    expect(head.status).toBe(200);
    expect(head.headers.get("set-cookie")).toBeNull();
  });
});
