import { once } from "node:events";
import { Redis } from "ioredis";
import { afterEach, describe, expect, inject, it, vi } from "vitest";
import { RedisChannels } from "./channels";
import { defineScripts } from "./script-runner";

const ECHO = { numberOfKeys: 0, lua: "return ARGV[1]" };

/** Counts the writes the connection's socket hands to the system, corked batches included. */
function countWrites(redis: Redis) {
  const stream = redis.stream as typeof redis.stream & { _write: unknown; _writev: unknown };
  const single = vi.spyOn(stream, "_write" as never);
  const batched = vi.spyOn(stream, "_writev" as never);
  return () => single.mock.calls.length + batched.mock.calls.length;
}

describe("Redis write batching", () => {
  const connections: Redis[] = [];
  const connect = async () => {
    const redis = new Redis(inject("redisUrl"));
    connections.push(redis);
    const run = defineScripts(redis, { echo: ECHO });
    if (redis.status !== "ready") await once(redis, "ready");
    await run("echo", "load"); // ioredis loads the script once; later runs are one EVALSHA each
    return { redis, run };
  };
  afterEach(async () => {
    await Promise.all(connections.splice(0).map((redis) => redis.quit()));
  });

  it("sends every command issued in one event-loop turn in one write, answers in order", async () => {
    const { redis, run } = await connect();
    const writes = countWrites(redis);
    const replies = await Promise.all(Array.from({ length: 20 }, (_, index) => run("echo", `m${index}`)));
    expect(replies).toEqual(Array.from({ length: 20 }, (_, index) => `m${index}`));
    expect(writes()).toBe(1);
  });

  it("holds nothing past its turn: a command issued alone is answered, one write each", async () => {
    const { redis, run } = await connect();
    const writes = countWrites(redis);
    expect(await run("echo", "first")).toBe("first");
    expect(await run("echo", "second")).toBe("second");
    expect(writes()).toBe(2);
  });

  it("runs commands issued before the connection is ready", async () => {
    const redis = new Redis(inject("redisUrl"));
    connections.push(redis);
    const run = defineScripts(redis, { echo: ECHO });
    expect(redis.status).not.toBe("ready");
    expect(await Promise.all([run("echo", "a"), run("echo", "b")])).toEqual(["a", "b"]);
  });

  it("keeps batching on the new connection after a reconnect", async () => {
    const { redis, run } = await connect();
    const dropped = run("echo", "in flight");
    redis.stream.destroy();
    await dropped.catch(() => {}); // ioredis may retry it or fail it: either way, it settles
    if (redis.status !== "ready") await once(redis, "ready");
    const writes = countWrites(redis);
    expect(await Promise.all([run("echo", "x"), run("echo", "y"), run("echo", "z")])).toEqual(["x", "y", "z"]);
    expect(writes()).toBe(1);
  });

  it("subscribes a turn's new channels in one write, and unsubscribes them in one", async () => {
    const subscriber = new Redis(inject("redisUrl"));
    const { redis: publisher } = await connect();
    connections.push(subscriber);
    if (subscriber.status !== "ready") await once(subscriber, "ready");
    const channels = new RedisChannels(subscriber);
    const names = Array.from({ length: 20 }, (_, index) => `batching-test:${index}`);
    const received: string[] = [];
    const writes = countWrites(subscriber);
    await Promise.all(names.map((name) => channels.add(name, (payload) => received.push(`${name}=${payload}`))));
    expect(writes()).toBe(1);
    await publisher.publish(names[7]!, "hello");
    await vi.waitFor(() => expect(received).toEqual([`${names[7]}=hello`]));

    for (const name of names) channels.remove(name);
    expect(writes()).toBe(1); // held until the turn ends
    await vi.waitFor(async () =>
      expect(await publisher.pubsub("NUMSUB", ...names)).toEqual(names.flatMap((name) => [name, 0])),
    );
    expect(writes()).toBe(2);
  });
});
