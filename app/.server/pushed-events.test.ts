import { describe, expect, it } from "vitest";
import { type EventFeed, type EventSink, PushedEvents } from "./pushed-events";

/** A feed the test drives by hand: `push`, `end` and `fail` reach whoever started it. */
class HandFeed implements EventFeed<number> {
  sink: EventSink<number> | undefined;
  starts = 0;
  stops = 0;

  start(sink: EventSink<number>): void {
    this.starts += 1;
    this.sink = sink;
  }

  stop(): void {
    this.stops += 1;
    this.sink?.end();
  }
}

describe("PushedEvents", () => {
  it("hands a piped sink every event in the turn it is pushed, then the end", () => {
    const feed = new HandFeed();
    const seen: string[] = [];
    new PushedEvents(feed).pipe({
      event: (value) => seen.push(`event ${value}`),
      end: () => seen.push("end"),
      fail: () => seen.push("fail"),
    });
    feed.sink!.event(1);
    feed.sink!.event(2);
    expect(seen).toEqual(["event 1", "event 2"]);
    feed.sink!.end();
    expect(seen).toEqual(["event 1", "event 2", "end"]);
  });

  it("lets an iterator pull what was pushed before it asked, in order, and finish with the feed", async () => {
    const feed = new HandFeed();
    const events = new PushedEvents(feed);
    const iterator = events[Symbol.asyncIterator]();
    const first = iterator.next();
    feed.sink!.event(1);
    feed.sink!.event(2);
    feed.sink!.event(3);
    feed.sink!.end();
    expect(await first).toEqual({ done: false, value: 1 });
    const rest: number[] = [];
    for await (const value of events) rest.push(value);
    expect(rest).toEqual([2, 3]);
    expect(feed.starts).toBe(1);
  });

  it("throws the feed's failure to the iterator once what came before it is read", async () => {
    const feed = new HandFeed();
    const seen: number[] = [];
    const reading = (async () => {
      for await (const value of new PushedEvents(feed)) seen.push(value);
    })();
    await Promise.resolve();
    feed.sink!.event(7);
    feed.sink!.fail(new Error("the store went away"));
    await expect(reading).rejects.toThrow("the store went away");
    expect(seen).toEqual([7]);
  });

  it("stops the feed when the reader leaves early", async () => {
    const feed = new HandFeed();
    const events = new PushedEvents(feed);
    const reading = (async () => {
      for await (const _value of events) break;
    })();
    await Promise.resolve();
    feed.sink!.event(1);
    await reading;
    expect(feed.stops).toBe(1);
  });

  it("gives one iterator however often it is asked, as a generator does: the feed starts once", async () => {
    const feed = new HandFeed();
    const events = new PushedEvents(feed);
    const iterator = events[Symbol.asyncIterator]();
    expect(events[Symbol.asyncIterator]()).toBe(iterator);
    // Started by the first read, as a generator's body runs at its first `next`.
    expect(feed.starts).toBe(0);
    const first = iterator.next();
    const again = events[Symbol.asyncIterator]().next();
    feed.sink!.event(1);
    feed.sink!.event(2);
    expect([await first, await again]).toEqual([
      { done: false, value: 1 },
      { done: false, value: 2 },
    ]);
    expect(feed.starts).toBe(1);
  });
});
