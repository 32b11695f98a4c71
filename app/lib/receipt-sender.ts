import { raiseWatermarks, noReceipts, type Watermarks } from "./receipt-status";

export interface ReceiptSender {
  /** Asks for the server to know at least these watermarks; sends only what is new. */
  raise: (marks: Partial<Watermarks>) => void;
  /** Tries again whatever a failed request left unacknowledged (the stream is back). */
  flush: () => void;
  stop: () => void;
}

/**
 * Acknowledges partner messages with as few requests as possible: one in flight at a time, and
 * whatever rises meanwhile goes in the next one. With `coalesceMs`, a rise waits that long first,
 * so a message that arrives and is read at once costs one request (delivered and seen), not two.
 * Receipts are best-effort: a failure is retried with the next change, never surfaced.
 */
export function createReceiptSender(
  send: (marks: Partial<Watermarks>) => Promise<unknown>,
  { coalesceMs = 0 }: { coalesceMs?: number } = {},
): ReceiptSender {
  let wanted: Watermarks = noReceipts;
  let acked: Watermarks = noReceipts;
  let inFlight = false;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  async function flush(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    if (inFlight || stopped) return;
    // Seen implies delivered: the server need not infer it.
    const delivered = Math.max(wanted.delivered, wanted.seen);
    const body: Partial<Watermarks> = {};
    if (delivered > acked.delivered) body.delivered = delivered;
    if (wanted.seen > acked.seen) body.seen = wanted.seen;
    if (body.delivered === undefined && body.seen === undefined) return;
    inFlight = true;
    let ok = false;
    try {
      await send(body);
      acked = raiseWatermarks(acked, body);
      ok = true;
    } catch {
      // Best-effort: the next change or flush sends the same watermarks again.
    } finally {
      inFlight = false;
    }
    if (ok) await flush();
  }

  return {
    raise(marks) {
      wanted = raiseWatermarks(wanted, marks);
      if (coalesceMs <= 0) void flush();
      else timer ??= setTimeout(() => void flush(), coalesceMs);
    },
    flush: () => void flush(),
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
