import { WakeQueue } from "./wake-queue";

/** Where a feed's events go: each `event` in order, then `end` or `fail`, once. */
export interface EventSink<T> {
  event(value: T): void;
  end(): void;
  fail(error: unknown): void;
}

/**
 * Something that pushes events as they happen (a room's stream, fed by the process's one
 * subscriber). `start` begins it; it ends on its own, or when `stop` is called, and its sink
 * hears `end` or `fail` once either way.
 */
export interface EventFeed<T> {
  start(sink: EventSink<T>): void;
  stop(): void;
}

/**
 * A subscription's events as a feed, which the event-stream writer takes as they are pushed (one
 * call per event, nothing pending between events), and as an async iterable for everyone else
 * (tests, tRPC's own producer), who pull them through a queue.
 *
 * Why not an async generator: a generator suspended between events holds its frame, a pending
 * promise and its consumer's, for every open stream for its tab's life, and each event costs
 * microtask hops at every level (bench/README.md).
 */
export class PushedEvents<T> implements AsyncIterable<T> {
  private iterator: AsyncIterator<T> | undefined;

  constructor(private readonly feed: EventFeed<T>) {}

  /** Starts the feed into `sink`. Only once, and not as well as iterating. */
  pipe(sink: EventSink<T>): void {
    this.feed.start(sink);
  }

  /** One iterator, however often asked, as a generator is its own: the feed runs once. */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    return (this.iterator ??= pulled(this.feed));
  }
}

/** The feed's events, pulled: they wait in a queue until asked for; returning early stops the feed. */
async function* pulled<T>(feed: EventFeed<T>): AsyncGenerator<T, void, undefined> {
  const queue = new WakeQueue<T>();
  let ended = false;
  let failure: { error: unknown } | undefined;
  feed.start({
    event: (value) => queue.push(value),
    end: () => {
      ended = true;
      queue.wake();
    },
    fail: (error) => {
      failure = { error };
      ended = true;
      queue.wake();
    },
  });
  try {
    for (;;) {
      if (queue.size > 0) yield queue.shift()!;
      else if (failure) throw failure.error;
      else if (ended) return;
      else await queue.wait();
    }
  } finally {
    feed.stop();
  }
}
