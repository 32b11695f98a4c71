/**
 * Values remembered for a while after they were set, at most `max` of them, without a clock read
 * or a timer per entry: two generations, the older dropped whole. Every `ttlMs / 2` the current
 * generation becomes the older one and the older one is let go, so an entry stays for between half
 * of `ttlMs` and all of it after it was last set, read or not; past `max / 2` entries a generation
 * turns over early. The timer runs only while something is remembered.
 *
 * Why not lru-cache: with a lifetime, each of its reads checked the clock (and armed a timer to
 * forget the reading a millisecond later), about 1.5 % of the server's CPU per message, to keep an
 * order this cache does not need.
 */
export class GenerationCache<V> {
  private current = new Map<string, V>();
  private older = new Map<string, V>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly max: number,
    private readonly ttlMs: number,
  ) {}

  get(key: string): V | undefined {
    return this.current.get(key) ?? this.older.get(key);
  }

  has(key: string): boolean {
    return this.current.has(key) || this.older.has(key);
  }

  set(key: string, value: V): void {
    if (this.current.size >= this.max / 2 && !this.current.has(key)) this.turnOver();
    this.older.delete(key);
    this.current.set(key, value);
    this.timer ??= setTimeout(this.tick, this.ttlMs / 2).unref();
  }

  /** Every value remembered, newer generation first. */
  *values(): IterableIterator<V> {
    yield* this.current.values();
    yield* this.older.values();
  }

  get size(): number {
    return this.current.size + this.older.size;
  }

  private turnOver(): void {
    this.older = this.current;
    this.current = new Map();
  }

  private readonly tick = () => {
    this.turnOver();
    this.timer = this.older.size > 0 ? setTimeout(this.tick, this.ttlMs / 2).unref() : undefined;
  };
}
