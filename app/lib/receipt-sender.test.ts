import { describe, expect, it, vi } from "vitest";
import { createReceiptSender } from "./receipt-sender";
import type { Watermarks } from "./receipt-status";

function controlledSend() {
  const calls: Array<{ marks: Partial<Watermarks>; resolve: () => void; reject: (error: unknown) => void }> = [];
  const send = vi.fn(
    (marks: Partial<Watermarks>) =>
      new Promise<void>((resolve, reject) => {
        calls.push({ marks, resolve, reject });
      }),
  );
  return { send, calls, bodies: () => calls.map((call) => call.marks) };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("sending receipts", () => {
  it("sends only what rose, one request at a time, coalescing what rose meanwhile", async () => {
    const { send, calls, bodies } = controlledSend();
    const receipts = createReceiptSender(send);
    receipts.raise({ delivered: 3 });
    receipts.raise({ delivered: 4 });
    receipts.raise({ seen: 2 });
    receipts.raise({ delivered: 5, seen: 4 });
    expect(bodies()).toEqual([{ delivered: 3 }]);
    calls[0]?.resolve();
    await tick();
    expect(bodies()).toEqual([{ delivered: 3 }, { delivered: 5, seen: 4 }]);
    calls[1]?.resolve();
    await tick();
    receipts.raise({ delivered: 5, seen: 4 });
    receipts.raise({ delivered: 1 });
    await tick();
    expect(send).toHaveBeenCalledTimes(2);
  });

  it("raises delivered along with seen: what was read was received", async () => {
    const { send, bodies } = controlledSend();
    const receipts = createReceiptSender(send);
    receipts.raise({ seen: 7 });
    expect(bodies()).toEqual([{ delivered: 7, seen: 7 }]);
  });

  it("swallows a failure and sends the same watermarks again with the next change or flush", async () => {
    const { calls, bodies, send } = controlledSend();
    const receipts = createReceiptSender(send);
    receipts.raise({ delivered: 2 });
    calls[0]?.reject(new Error("offline"));
    await tick();
    expect(send).toHaveBeenCalledTimes(1);
    receipts.flush();
    expect(bodies()).toEqual([{ delivered: 2 }, { delivered: 2 }]);
    calls[1]?.reject(new Error("offline"));
    await tick();
    receipts.raise({ delivered: 3 });
    expect(bodies().at(-1)).toEqual({ delivered: 3 });
    calls[2]?.resolve();
    await tick();
    receipts.flush();
    expect(send).toHaveBeenCalledTimes(3);
  });

  it("with a coalescing window, sends a message's delivered and seen in one request", async () => {
    vi.useFakeTimers();
    try {
      const { send, bodies } = controlledSend();
      const receipts = createReceiptSender(send, { coalesceMs: 150 });
      receipts.raise({ delivered: 5 });
      await vi.advanceTimersByTimeAsync(100);
      expect(send).not.toHaveBeenCalled();
      receipts.raise({ seen: 5 });
      await vi.advanceTimersByTimeAsync(50);
      expect(bodies()).toEqual([{ delivered: 5, seen: 5 }]);
      receipts.stop();
    } finally {
      vi.useRealTimers();
    }
  });

  it("sends nothing once stopped", async () => {
    const { send } = controlledSend();
    const receipts = createReceiptSender(send);
    receipts.stop();
    receipts.raise({ delivered: 1, seen: 1 });
    await tick();
    expect(send).not.toHaveBeenCalled();
  });
});
