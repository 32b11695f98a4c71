import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { defaultBackoffMs, Outbox, type OutboxItem, type OutboxStatus } from "./outbox";
import { isTransientError } from "./send-error";

/** A TRPCClientError as the browser sees it: `data` only when the server answered. */
function clientError(message: string, code?: string) {
  const error = new Error(message) as Error & { data?: { code: string } };
  error.name = "TRPCClientError";
  if (code) error.data = { code };
  return error;
}
const offline = () => clientError("Failed to fetch");
const item = (clientId: string): OutboxItem => ({ clientId, text: `text ${clientId}`, sender: "me" });

/** A send whose every call waits until the test settles it. */
function controlledSend() {
  const calls: Array<{ item: OutboxItem; resolve: (value: string) => void; reject: (error: unknown) => void }> = [];
  const send = vi.fn(
    (sent: OutboxItem) =>
      new Promise<string>((resolve, reject) => {
        calls.push({ item: sent, resolve, reject });
      }),
  );
  return { send, calls, sentIds: () => calls.map((call) => call.item.clientId) };
}

function makeOutbox(send: (item: OutboxItem) => Promise<string>) {
  const events: string[] = [];
  const statuses: Array<[string[], OutboxStatus]> = [];
  const outbox = new Outbox<string>({
    send,
    onSent: (sent, result) => events.push(`sent ${sent.clientId} ${result}`),
    onFailed: (failed, error) => events.push(`failed ${failed.clientId} ${(error as Error).message}`),
    onStatus: (ids, status) => statuses.push([ids, status]),
  });
  return { outbox, events, statuses };
}

const flush = () => vi.advanceTimersByTimeAsync(0);

describe("the outbox", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("sends one at a time, in the order written", async () => {
    const { send, calls, sentIds } = controlledSend();
    const { outbox, events } = makeOutbox(send);
    for (const id of ["a", "b", "c"]) outbox.enqueue(item(id));
    await flush();
    expect(sentIds()).toEqual(["a"]);
    calls[0]?.resolve("#1");
    await flush();
    expect(sentIds()).toEqual(["a", "b"]);
    calls[1]?.resolve("#2");
    await flush();
    calls[2]?.resolve("#3");
    await flush();
    expect(events).toEqual(["sent a #1", "sent b #2", "sent c #3"]);
    expect(outbox.size).toBe(0);
  });

  it("keeps a message queued through a network failure and resends it with the same clientId", async () => {
    const { send, calls, sentIds } = controlledSend();
    const { outbox, events, statuses } = makeOutbox(send);
    outbox.enqueue(item("a"));
    outbox.enqueue(item("b"));
    await flush();
    calls[0]?.reject(offline());
    await flush();
    expect(statuses).toEqual([[["a", "b"], "queued"]]);
    outbox.enqueue(item("c"));
    expect(statuses.at(-1)).toEqual([["c"], "queued"]);

    await vi.advanceTimersByTimeAsync(999);
    expect(sentIds()).toEqual(["a"]);
    await vi.advanceTimersByTimeAsync(1);
    expect(sentIds()).toEqual(["a", "a"]);
    calls[1]?.resolve("#1");
    await flush();
    expect(statuses.at(-1)).toEqual([["b", "c"], "sending"]);
    calls[2]?.resolve("#2");
    await flush();
    calls[3]?.resolve("#3");
    await flush();
    expect(sentIds()).toEqual(["a", "a", "b", "c"]);
    expect(events).toEqual(["sent a #1", "sent b #2", "sent c #3"]);
  });

  it("backs off 1 s, 2 s, 4 s … up to 10 s, and starts over after a success", async () => {
    expect([1, 2, 3, 4, 5, 9].map(defaultBackoffMs)).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000]);
    const send = vi.fn(() => Promise.reject(offline()));
    const { outbox, statuses } = makeOutbox(send);
    outbox.enqueue(item("a"));
    await flush();
    const times: number[] = [];
    for (const wait of [1000, 2000, 4000, 8000, 10_000, 10_000]) {
      await vi.advanceTimersByTimeAsync(wait - 1);
      times.push(send.mock.calls.length);
      await vi.advanceTimersByTimeAsync(1);
    }
    expect(times).toEqual([1, 2, 3, 4, 5, 6]);
    expect(send).toHaveBeenCalledTimes(7);
    // "Waiting" is announced once, not on every attempt.
    expect(statuses).toEqual([[["a"], "queued"]]);
  });

  it("retries at once when woken (online again, stream live) instead of waiting out the backoff", async () => {
    const { send, calls, sentIds } = controlledSend();
    const { outbox, events } = makeOutbox(send);
    outbox.enqueue(item("a"));
    await flush();
    outbox.wake(); // in flight: nothing to do
    calls[0]?.reject(offline());
    await flush();
    outbox.wake();
    await flush();
    expect(sentIds()).toEqual(["a", "a"]);
    calls[1]?.resolve("#1");
    await flush();
    expect(events).toEqual(["sent a #1"]);
    // The cancelled backoff timer does not send again.
    await vi.advanceTimersByTimeAsync(20_000);
    expect(send).toHaveBeenCalledTimes(2);
  });

  it("fails a message the server refuses and carries on with the next", async () => {
    const { send, calls, sentIds } = controlledSend();
    const { outbox, events, statuses } = makeOutbox(send);
    outbox.enqueue(item("a"));
    outbox.enqueue(item("b"));
    await flush();
    calls[0]?.reject(clientError("You are sending messages too fast", "TOO_MANY_REQUESTS"));
    await flush();
    expect(sentIds()).toEqual(["a", "b"]);
    calls[1]?.resolve("#2");
    await flush();
    expect(events).toEqual(["failed a You are sending messages too fast", "sent b #2"]);
    expect(statuses).toEqual([]);

    // Retry puts it back in line, same clientId.
    outbox.enqueue(item("a"));
    await flush();
    calls[2]?.resolve("#3");
    await flush();
    expect(sentIds()).toEqual(["a", "b", "a"]);
    expect(events.at(-1)).toBe("sent a #3");
  });

  it("drops what the stream confirmed first, and never resends a confirmed message in flight", async () => {
    const { send, calls, sentIds } = controlledSend();
    const { outbox, events } = makeOutbox(send);
    for (const id of ["a", "b", "c"]) outbox.enqueue(item(id));
    await flush();
    outbox.settle("b");
    outbox.settle("a");
    calls[0]?.reject(offline()); // the response was lost, but the stream showed it stored
    await flush();
    expect(events).toEqual(["sent a null"]);
    expect(sentIds()).toEqual(["a", "c"]);
  });

  it("moves on when the stream confirms the message it was waiting to resend", async () => {
    const { send, calls, sentIds } = controlledSend();
    const { outbox, events } = makeOutbox(send);
    outbox.enqueue(item("a"));
    outbox.enqueue(item("b"));
    await flush();
    calls[0]?.reject(offline());
    await flush();
    outbox.settle("a");
    await flush();
    expect(sentIds()).toEqual(["a", "b"]);
    calls[1]?.resolve("#2");
    await flush();
    expect(events).toEqual(["sent b #2"]);
  });

  it("ignores a repeated enqueue and does nothing once disposed", async () => {
    const { send, calls, sentIds } = controlledSend();
    const { outbox, events } = makeOutbox(send);
    outbox.enqueue(item("a"));
    outbox.enqueue(item("a"));
    await flush();
    outbox.dispose();
    calls[0]?.resolve("#1");
    outbox.enqueue(item("b"));
    await vi.advanceTimersByTimeAsync(20_000);
    expect(sentIds()).toEqual(["a"]);
    expect(events).toEqual([]);
  });
});

describe("telling a network failure from a refusal", () => {
  it("retries what never got an answer or got a temporary one", () => {
    expect(isTransientError(offline())).toBe(true);
    expect(isTransientError(new TypeError("Failed to fetch"))).toBe(true);
    expect(isTransientError(Object.assign(new Error("aborted"), { name: "AbortError" }))).toBe(true);
    expect(isTransientError(clientError("store unreachable", "SERVICE_UNAVAILABLE"))).toBe(true);
  });

  it("fails what the server refused, and anything that is not an error", () => {
    for (const code of ["BAD_REQUEST", "TOO_MANY_REQUESTS", "NOT_FOUND", "UNAUTHORIZED", "INTERNAL_SERVER_ERROR"]) {
      expect(isTransientError(clientError("no", code))).toBe(false);
    }
    expect(isTransientError(new Error("a bug"))).toBe(false);
    expect(isTransientError("offline")).toBe(false);
  });
});
