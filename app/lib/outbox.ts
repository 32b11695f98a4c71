import { isTransientError } from "./send-error";

/** An image on its way: prepared (re-encoded) in the browser, uploaded once, then announced. */
export interface OutgoingImage {
  id: string;
  blob: Blob;
  width: number;
  height: number;
  bytes: number;
  type: "image/webp" | "image/jpeg";
  /** Set once the sealed bytes are on the server, so a retry only resends the message. */
  uploaded?: boolean;
}

export interface OutboxItem {
  clientId: string;
  /** Empty for an image. */
  text: string;
  sender: string;
  image?: OutgoingImage;
}

export type OutboxStatus = "sending" | "queued";

export interface OutboxOptions<Result> {
  send: (item: OutboxItem) => Promise<Result>;
  /** The server stored it (the response, or the stream got there first). */
  onSent: (item: OutboxItem, result: Result | null) => void;
  /** The server refused it: the outbox has dropped it and moved on; Retry adds it again. */
  onFailed: (item: OutboxItem, error: unknown) => void;
  /** These items now wait for the network (`queued`) or are going out again (`sending`). */
  onStatus: (clientIds: string[], status: OutboxStatus) => void;
  isTransient?: (error: unknown) => boolean;
  /** Delay before retry number `attempt` (1, 2, …) when nothing else wakes the outbox first. */
  backoffMs?: (attempt: number) => number;
}

/** 1 s, 2 s, 4 s, 8 s, then every 10 s. */
export function defaultBackoffMs(attempt: number): number {
  return Math.min(10_000, 1000 * 2 ** Math.max(0, attempt - 1));
}

/**
 * Own messages on their way to the server, one at a time in the order they were written, so the
 * partner reads them in that order. A network failure keeps the message at the head of the line
 * and tries again, with the same clientId (the server stores it once however often it arrives),
 * when woken (back online, stream live again) or after a backoff; a refusal from the server fails
 * that one message and the line moves on.
 */
export class Outbox<Result = unknown> {
  private readonly queue: OutboxItem[] = [];
  /** Confirmed by the stream while queued or in flight: not to be sent (again). */
  private readonly settled = new Set<string>();
  private inFlight = false;
  /** Stopped until the backoff ends or something wakes the line. */
  private waiting = false;
  private attempt = 0;
  /** The server has not answered since a network failure: everything in line shows as queued. */
  private offline = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;
  private readonly isTransient: (error: unknown) => boolean;
  private readonly backoffMs: (attempt: number) => number;

  constructor(private readonly options: OutboxOptions<Result>) {
    this.isTransient = options.isTransient ?? isTransientError;
    this.backoffMs = options.backoffMs ?? defaultBackoffMs;
  }

  get size(): number {
    return this.queue.length;
  }

  enqueue(item: OutboxItem): void {
    if (this.disposed || this.queue.some((queued) => queued.clientId === item.clientId)) return;
    this.settled.delete(item.clientId);
    this.queue.push(item);
    if (this.offline) this.options.onStatus([item.clientId], "queued");
    void this.pump();
  }

  /** The stream delivered this own message: whatever the outbox still had of it is done. */
  settle(clientId: string): void {
    const index = this.queue.findIndex((item) => item.clientId === clientId);
    if (index < 0) return;
    if (index === 0 && this.inFlight) {
      // The request's own outcome finishes it; a network failure must not resend it.
      this.settled.add(clientId);
      return;
    }
    this.queue.splice(index, 1);
    if (index === 0 && this.waiting) this.resume();
  }

  /** Something suggests the network is back: try now instead of waiting out the backoff. */
  wake(): void {
    if (this.waiting && !this.inFlight) this.resume();
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
  }

  private resume(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.waiting = false;
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.inFlight || this.waiting || this.disposed) return;
    const item = this.queue[0];
    if (!item) return;
    this.inFlight = true;
    let result: Result | null = null;
    let failure: { error: unknown } | null = null;
    try {
      result = await this.options.send(item);
    } catch (error) {
      failure = { error };
    }
    this.inFlight = false;
    if (this.disposed) return;

    const confirmedMeanwhile = this.settled.delete(item.clientId);
    if (failure && !confirmedMeanwhile && this.isTransient(failure.error)) {
      this.attempt += 1;
      this.waiting = true;
      // Retries keep showing "waiting" until something gets through, rather than flickering.
      if (!this.offline)
        this.options.onStatus(
          this.queue.map((queued) => queued.clientId),
          "queued",
        );
      this.offline = true;
      this.timer = setTimeout(() => this.resume(), this.backoffMs(this.attempt));
      return;
    }
    this.attempt = 0;
    this.remove(item);
    if (failure && !confirmedMeanwhile) this.options.onFailed(item, failure.error);
    else this.options.onSent(item, result);
    if (this.offline && this.queue.length > 0)
      this.options.onStatus(
        this.queue.map((queued) => queued.clientId),
        "sending",
      );
    this.offline = false;
    void this.pump();
  }

  private remove(item: OutboxItem): void {
    const index = this.queue.indexOf(item);
    if (index >= 0) this.queue.splice(index, 1);
  }
}
