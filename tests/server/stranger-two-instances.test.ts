import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StrangerState } from "~/lib/match-events";
import { startAppServer, type AppServer } from "../support/app-server";
import { TEST_SECRET } from "../support/app";
import { startRedisServer, type TestRedis } from "../support/redis-server";
import { Visitor } from "../support/visitor";

/**
 * The stranger queue lives in Redis, so visitors arriving at two production processes at once
 * are paired with each other fairly: everyone in exactly one pair, nobody with themselves. The
 * queue gets a Redis of its own here, so no other test's visitors can be in it.
 */
describe("talk to a stranger across two instances", () => {
  let redis: TestRedis;
  let first: AppServer;
  let second: AppServer;

  beforeAll(async () => {
    redis = await startRedisServer();
    const env = { REDIS_URL: redis.url, SESSION_SECRET: TEST_SECRET };
    [first, second] = await Promise.all([startAppServer(env), startAppServer(env)]);
  });
  afterAll(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
    await redis?.stop();
  });

  it("pairs 200 simultaneous visitors into 100 distinct pairs, each seated in their own room", async () => {
    const visitors = await Promise.all(
      Array.from({ length: 200 }, async (_, index) => {
        const visitor = new Visitor((index % 2 === 0 ? first : second).url);
        expect((await visitor.open("/stranger")).status).toBe(200);
        return visitor;
      }),
    );
    const answers = await Promise.all(visitors.map((visitor) => visitor.trpc.match.find.mutate({})));
    // Whoever was still waiting when their partner arrived learns of it on asking again.
    const states: StrangerState[] = await Promise.all(
      answers.map((answer, index) => (answer.status === "matched" ? answer : visitors[index]!.trpc.match.find.mutate({}))),
    );
    const rooms = new Map<string, number[]>();
    for (const [index, state] of states.entries()) {
      expect(state.status).toBe("matched");
      if (state.status === "matched") rooms.set(state.roomId, [...(rooms.get(state.roomId) ?? []), index]);
    }
    expect(rooms.size).toBe(100);
    for (const members of rooms.values()) expect(members).toHaveLength(2);

    // Each pair's room admits exactly those two, on either instance.
    const [roomId, [one, two] = []] = [...rooms][0]!;
    expect((await visitors[one!]!.on(second.url).open(`/room/${roomId}`)).status).toBe(200);
    expect((await visitors[two!]!.on(first.url).open(`/room/${roomId}`)).status).toBe(200);
    const outsider = await new Visitor(first.url).open(`/room/${roomId}`);
    expect(outsider.headers.get("location")).toBe("/?error=room-full");
    expect(await visitors[0]!.trpc.match.stats.query()).toEqual({ online: 200, waiting: 0 });
  });
});
