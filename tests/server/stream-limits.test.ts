import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { TEST_SECRET } from "../support/app";
import { startAppServer, type AppServer } from "../support/app-server";
import { openEventStream, type OpenedStream } from "../support/event-stream";
import { Visitor } from "../support/visitor";
import { waitFor } from "../support/wait-for";

const PER_PERSON = 3;
const PER_ADDRESS = 5;
/** Heartbeats every 500 ms: an instance that stops beating counts as gone 1.5 s later. */
const GRACE_MS = 1000;

/** Two production instances behind one Redis hold one count of open streams. */
describe("caps on open event streams, across two instances on one Redis", () => {
  const url = `${inject("redisUrl")}/7`;
  const env = {
    REDIS_URL: url,
    SESSION_SECRET: TEST_SECRET,
    RATE_LIMITS: "on",
    RATE_LIMIT_STREAMS_PER_PERSON: String(PER_PERSON),
    RATE_LIMIT_STREAMS_PER_ADDRESS: String(PER_ADDRESS),
    PRESENCE_GRACE_MS: String(GRACE_MS),
    // Each test speaks from addresses of its own.
    TRUST_PROXY: "1",
  };
  let first: AppServer;
  let second: AppServer;
  const open: OpenedStream[] = [];

  beforeAll(async () => {
    const admin = new Redis(url);
    await admin.flushdb();
    admin.disconnect();
    first = await startAppServer(env);
    second = await startAppServer(env);
  });
  afterAll(async () => {
    for (const stream of open) stream.close();
    await Promise.all([first?.stop(), second?.stop()]);
  });

  /** A member of a new room, opening its event stream on `server` from `address`. */
  async function memberOfNewRoom() {
    const member = new Visitor(first.url);
    const { roomId } = await member.trpc.room.create.mutate({});
    await member.open(`/room/${roomId}`);
    return async (server: AppServer, address: string) => {
      const stream = await openEventStream(
        server.url,
        "room.events",
        { roomId },
        { cookie: member.cookieHeader(), "x-forwarded-for": address },
      );
      open.push(stream);
      return stream;
    };
  }

  it("refuses a person's streams past the cap on either instance, and a closed stream frees its slot", async () => {
    const alice = await memberOfNewRoom();
    const address = "198.51.100.1";
    const tabs = [await alice(first, address), await alice(first, address), await alice(second, address)];
    expect(tabs.map((tab) => tab.refused)).toEqual([null, null, null]);
    for (const server of [first, second]) {
      expect((await alice(server, address)).refused).toEqual({
        code: "TOO_MANY_REQUESTS",
        message: `You have this room open in too many tabs (at most ${PER_PERSON}). Close one and try again in 5 s.`,
        retryAfterSeconds: 5,
      });
    }
    tabs[0]!.close();
    await waitFor(async () => (await alice(second, address)).refused === null, {
      what: "the closed tab's slot, on the other instance",
    });
    expect((await alice(first, address)).refused?.code).toBe("TOO_MANY_REQUESTS");
  });

  it("refuses an address's streams past its cap, however they are spread over people and instances", async () => {
    const address = "198.51.100.2";
    const [alice, bob] = [await memberOfNewRoom(), await memberOfNewRoom()];
    const tabs = [
      await alice(first, address),
      await alice(second, address),
      await alice(second, address),
      await bob(first, address),
      await bob(second, address),
    ];
    expect(tabs.map((tab) => tab.refused)).toEqual([null, null, null, null, null]);
    const refused = await bob(first, address);
    expect(refused.refused).toMatchObject({
      code: "TOO_MANY_REQUESTS",
      message: `Too many open connections from your network (at most ${PER_ADDRESS}). Close some tabs and try again in 5 s.`,
    });
    expect((await bob(first, "198.51.100.3")).refused).toBeNull();
  });

  it("caps a stranger-page visitor's streams on both instances together", async () => {
    const visitor = new Visitor(first.url);
    await visitor.open("/stranger");
    const address = "198.51.100.4";
    const tab = (server: AppServer) =>
      openEventStream(
        server.url,
        "match.events",
        {},
        { cookie: visitor.cookieHeader(), "x-forwarded-for": address },
      ).then((stream) => {
        open.push(stream);
        return stream;
      });
    const tabs = [await tab(first), await tab(second), await tab(second)];
    expect(tabs.map((stream) => stream.refused)).toEqual([null, null, null]);
    expect((await tab(first)).refused).toMatchObject({
      code: "TOO_MANY_REQUESTS",
      message: `You have the stranger page open in too many tabs (at most ${PER_PERSON}). Close one and try again in 5 s.`,
    });
  });

  it("stops counting the streams of an instance that died, within seconds", async () => {
    const doomed = await startAppServer(env);
    try {
      const alice = await memberOfNewRoom();
      const address = "198.51.100.5";
      for (let index = 0; index < PER_PERSON; index += 1) expect((await alice(doomed, address)).refused).toBeNull();
      expect((await alice(first, address)).refused?.code).toBe("TOO_MANY_REQUESTS");
      const killedAt = Date.now();
      await doomed.kill(); // its streams never say goodbye
      await waitFor(async () => (await alice(first, address)).refused === null, {
        timeoutMs: 15_000,
        what: "the dead instance's slots",
      });
      // About one heartbeat timeout, not forever.
      expect(Date.now() - killedAt).toBeLessThan(GRACE_MS * 6);
      // And the cap holds as before on what is left.
      expect((await alice(second, address)).refused).toBeNull();
      expect((await alice(second, address)).refused).toBeNull();
      expect((await alice(first, address)).refused?.code).toBe("TOO_MANY_REQUESTS");
    } finally {
      await doomed.kill();
    }
  }, 60_000);
});
