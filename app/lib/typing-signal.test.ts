import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createTypingSignal } from "./typing-signal";

describe("the typing signal", () => {
  let sent: Array<[number, boolean]>;
  let start: number;
  const signal = () =>
    createTypingSignal((typing) => {
      sent.push([Date.now() - start, typing]);
    });

  beforeEach(() => {
    vi.useFakeTimers();
    start = Date.now();
    sent = [];
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("signals on the first keystroke, then at most once a second while typing goes on", () => {
    const typing = signal();
    for (let at = 0; at <= 2500; at += 100) {
      vi.setSystemTime(start + at);
      typing.input("x".repeat(at / 100 + 1));
    }
    expect(sent).toEqual([
      [0, true],
      [1000, true],
      [2000, true],
    ]);
  });

  it("stops 2 s after the last keystroke", () => {
    const typing = signal();
    typing.input("h");
    vi.advanceTimersByTime(1500);
    typing.input("he");
    vi.advanceTimersByTime(1999);
    expect(sent).toEqual([
      [0, true],
      [1500, true],
    ]);
    vi.advanceTimersByTime(1);
    expect(sent.at(-1)).toEqual([3500, false]);
    // The next keystroke starts over at once.
    typing.input("hel");
    expect(sent.at(-1)).toEqual([3500, true]);
  });

  it("stops at once when the text is cleared, and only if it had signalled", () => {
    const typing = signal();
    typing.input("   ");
    expect(sent).toEqual([]);
    typing.input("hi");
    typing.input("");
    expect(sent).toEqual([
      [0, true],
      [0, false],
    ]);
    vi.advanceTimersByTime(5000);
    expect(sent).toHaveLength(2);
  });

  it("resets without a request on send: the server and the partner clear it themselves", () => {
    const typing = signal();
    typing.input("hello");
    vi.advanceTimersByTime(300);
    typing.sent();
    vi.advanceTimersByTime(5000);
    expect(sent).toEqual([[0, true]]);
    // Typing the next message signals at once, even within the second.
    typing.input("a");
    expect(sent.at(-1)).toEqual([5300, true]);
  });

  it("names the draft in every signal, hands its id to the send, and starts a new draft after it", () => {
    let serial = 0;
    const drafts: string[] = [];
    const typing = createTypingSignal(
      (_typing, draft) => drafts.push(draft),
      () => `draft-${(serial += 1)}`,
    );
    typing.input("first");
    vi.advanceTimersByTime(1000);
    typing.input("first message");
    expect(typing.isCurrent("draft-1")).toBe(true);
    // The message goes out under the draft's id: a signal for it that arrives late is known stale.
    expect(typing.sent()).toBe("draft-1");
    expect(typing.isCurrent("draft-1")).toBe(false);
    typing.input("second");
    expect(drafts).toEqual(["draft-1", "draft-1", "draft-2"]);
    expect(typing.sent()).toBe("draft-2");
    // A draft no signal named still gets an id of its own.
    expect(typing.sent()).toBe("draft-3");
  });

  it("sends nothing after dispose", () => {
    const typing = signal();
    typing.input("bye");
    typing.dispose();
    vi.advanceTimersByTime(5000);
    expect(sent).toEqual([[0, true]]);
  });
});
