import { describe, expect, it } from "vitest";
import { waitFor } from "../../tests/support/wait-for";
import { WakeQueue } from "./wake-queue";

describe("WakeQueue", () => {
  it("gives items back in the order they were pushed, and nothing once they are taken", () => {
    const queue = new WakeQueue<number>();
    expect(queue.shift()).toBeUndefined();
    queue.push(1);
    queue.push(2);
    expect([queue.shift(), queue.shift(), queue.shift()]).toEqual([1, 2, undefined]);
  });

  it("lets a waiting loop sleep until an item is pushed", async () => {
    const queue = new WakeQueue<string>();
    let woke = false;
    const waiting = queue.wait().then(() => {
      woke = true;
    });
    // Everything already scheduled runs first: nothing in it may wake the loop.
    await new Promise((resolve) => setImmediate(resolve));
    expect(woke).toBe(false);
    queue.push("event");
    await waiting;
    expect(queue.shift()).toBe("event");
  });

  it("wakes a waiting loop without an item, as an abort listener", async () => {
    const queue = new WakeQueue<string>();
    const controller = new AbortController();
    controller.signal.addEventListener("abort", queue.wake, { once: true });
    const waiting = queue.wait();
    controller.abort();
    await waiting;
    expect(queue.shift()).toBeUndefined();
  });

  it("feeds a stream loop every item pushed from outside, in order, until it is told to stop", async () => {
    const queue = new WakeQueue<number>();
    let stopped = false;
    const taken: number[] = [];
    const loop = (async () => {
      while (!stopped) {
        const item = queue.shift();
        if (item === undefined) await queue.wait();
        else taken.push(item);
      }
    })();
    for (let item = 1; item <= 5; item += 1) {
      queue.push(item);
      if (item % 2 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await waitFor(() => taken.length === 5, { what: "every item" });
    expect(taken).toEqual([1, 2, 3, 4, 5]);
    stopped = true;
    queue.wake();
    await loop;
  });
});
