/**
 * Items pushed by listeners, taken in order by one async loop (an event stream) that sleeps while
 * there are none. The loop takes with `shift`; when that finds nothing it checks whatever else
 * may end it (aborted, expired), then `wait`s. Anything that should make it look again without an
 * item (an abort, a timer) calls `wake`.
 */
export class WakeQueue<T> {
  private readonly items: T[] = [];
  private sleeper: (() => void) | undefined;

  push(item: T): void {
    this.items.push(item);
    this.wake();
  }

  /** Lets a waiting loop look again. An arrow, so it can be an event listener as it is. */
  readonly wake = (): void => {
    const resolve = this.sleeper;
    this.sleeper = undefined;
    resolve?.();
  };

  get size(): number {
    return this.items.length;
  }

  shift(): T | undefined {
    return this.items.shift();
  }

  /** Resolves at the next `push` or `wake`; items already queued do not count: take them first. */
  wait(): Promise<void> {
    return new Promise((resolve) => {
      this.sleeper = resolve;
    });
  }
}
