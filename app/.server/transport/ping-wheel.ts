/**
 * Keep-alive pings for every open event stream of the process, from one timer. A stream no
 * longer holds an interval of its own for its tab's life (a `Timeout`, its callback and their
 * place in Node's timer lists). Streams are dealt round the wheel's slots as they open, and one
 * slot is pinged every `intervalMs / slots`: each stream still hears a ping every `intervalMs`
 * (its first within one), and a reconnect storm's thousands of streams never ping in one burst.
 */
export class PingWheel<Stream> {
  private readonly slots: Array<Set<Stream>>;
  private turn = 0;
  private dealt = 0;
  private size = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ping: (stream: Stream) => void,
    private readonly intervalMs: number,
    slotCount = 15,
  ) {
    this.slots = Array.from({ length: slotCount }, () => new Set<Stream>());
  }

  /** Pings `stream` every interval from now until it is removed. */
  add(stream: Stream): void {
    this.slots[this.dealt++ % this.slots.length]!.add(stream);
    this.size += 1;
    // Unref'd: open streams keep the process alive by their sockets, not by their pings.
    this.timer ??= setInterval(this.tick, this.intervalMs / this.slots.length).unref();
  }

  remove(stream: Stream): void {
    if (!this.slots.some((slot) => slot.delete(stream))) return;
    this.size -= 1;
    if (this.size > 0) return;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private readonly tick = () => {
    const slot = this.slots[this.turn]!;
    this.turn = (this.turn + 1) % this.slots.length;
    for (const stream of slot) this.ping(stream);
  };
}
