import { describe, expect, it } from "vitest";
import {
  addNotice,
  addPending,
  clearUpTo,
  confirm,
  dropExpired,
  emptyConversation,
  latestPartnerId,
  logEntries,
  markLost,
  nextExpiry,
  updatePending,
  type PendingMessage,
} from "./conversation";
import type { ChatMessage } from "./chat-message";

const message = (id: number, extra: Partial<ChatMessage> = {}): ChatMessage => ({
  id,
  sender: "ann",
  text: `m${id}`,
  timestamp: 1000 + id,
  mine: false,
  ...extra,
});
const pending = (clientId: string): PendingMessage => ({
  clientId,
  sender: "me",
  text: clientId,
  timestamp: 1,
  status: "sending",
});

describe("conversation state", () => {
  it("keeps confirmed messages ordered by id and drops repeats", () => {
    let state = emptyConversation;
    for (const id of [1, 3, 2, 3, 1]) state = confirm(state, message(id));
    expect(state.confirmed.map((item) => item.id)).toEqual([1, 2, 3]);
  });

  it("replaces a pending bubble with its stored message, whichever path arrives first", () => {
    let state = addPending(addPending(emptyConversation, pending("a")), pending("b"));
    const stored = message(7, { mine: true, clientId: "a" });
    state = confirm(state, stored);
    expect(state.pending.map((item) => item.clientId)).toEqual(["b"]);
    const again = confirm(state, stored);
    expect(again).toBe(state);
    expect(again.confirmed).toEqual([stored]);
  });

  it("marks a failed send and leaves the others alone", () => {
    const state = updatePending(addPending(addPending(emptyConversation, pending("a")), pending("b")), "b", {
      status: "failed",
      error: "offline",
    });
    expect(state.pending.map((item) => [item.clientId, item.status])).toEqual([
      ["a", "sending"],
      ["b", "failed"],
    ]);
  });

  it("updates several pending sends at once, and keeps the state when none matches", () => {
    const state = addPending(addPending(addPending(emptyConversation, pending("a")), pending("b")), pending("c"));
    const queued = updatePending(state, ["a", "c"], { status: "queued" });
    expect(queued.pending.map((item) => item.status)).toEqual(["queued", "sending", "queued"]);
    expect(updatePending(state, "zzz", { status: "failed" })).toBe(state);
  });

  it("places notices after the message that was newest when they happened", () => {
    let state = addNotice(emptyConversation, "before anything");
    state = confirm(state, message(1));
    state = confirm(state, message(2));
    state = addNotice(state, "after two");
    state = addNotice(state, "also after two");
    state = confirm(state, message(5));
    const order = logEntries(state).map((entry) => (entry.kind === "message" ? entry.message.id : entry.notice.text));
    expect(order).toEqual(["before anything", 1, 2, "after two", "also after two", 5]);
    expect(new Set(state.notices.map((notice) => notice.key)).size).toBe(3);
  });

  it("places a notice after a given message, in order with the others", () => {
    let state = confirm(confirm(confirm(emptyConversation, message(1)), message(2)), message(3));
    state = addNotice(state, "after three");
    state = addNotice(state, "after one", 1);
    const order = logEntries(state).map((entry) => (entry.kind === "message" ? entry.message.id : entry.notice.text));
    expect(order).toEqual([1, "after one", 2, 3, "after three"]);
    expect(new Set(state.notices.map((notice) => notice.key)).size).toBe(2);
  });

  it("finds the newest partner message for delivery receipts", () => {
    let state = emptyConversation;
    expect(latestPartnerId(state)).toBe(0);
    state = confirm(confirm(confirm(state, message(1)), message(2)), message(3, { mine: true }));
    expect(latestPartnerId(state)).toBe(2);
  });

  it("clears stored messages up to an id, and the notices among them, keeping later ones and own pending sends", () => {
    let state = [1, 2, 3, 4].reduce((current, id) => confirm(current, message(id)), emptyConversation);
    state = addNotice(state, "after two", 2);
    state = addNotice(state, "after four");
    state = addPending(state, pending("p"));
    const cleared = clearUpTo(state, 3);
    expect(cleared.confirmed.map((item) => item.id)).toEqual([4]);
    expect(cleared.notices.map((notice) => notice.text)).toEqual(["after four"]);
    expect(cleared.pending.map((item) => item.clientId)).toEqual(["p"]);
    expect(clearUpTo(cleared, 3)).toBe(cleared);
  });

  it("lets messages go at their own expiry and says when the next one goes", () => {
    let state = confirm(emptyConversation, message(1, { expiresAt: 5000 }));
    state = confirm(state, message(2, { expiresAt: 3000 }));
    state = confirm(state, message(3));
    expect(nextExpiry(state)).toBe(3000);
    expect(dropExpired(state, 2999)).toBe(state);
    const later = dropExpired(state, 3000);
    expect(later.confirmed.map((item) => item.id)).toEqual([1, 3]);
    expect(nextExpiry(later)).toBe(5000);
    expect(dropExpired(later, 10_000).confirmed.map((item) => item.id)).toEqual([3]);
    expect(nextExpiry(dropExpired(later, 10_000))).toBeNull();
  });

  describe("after the server lost messages (a failover)", () => {
    it("turns an own acknowledged message the server lost into Not sent, and keeps the partner's", () => {
      let state = confirm(emptyConversation, message(1));
      state = confirm(state, message(2, { mine: true, clientId: "mine-2", sender: "me", text: "hello" }));
      state = confirm(state, message(3, { clientId: "theirs-3" }));
      state = confirm(state, message(1_000_003, { clientId: "theirs-new" }));
      state = addPending(state, pending("later"));

      const lost = markLost(state, 1, 1_000_002);
      expect(lost.confirmed.map((item) => item.id)).toEqual([1, 3, 1_000_003]);
      expect(lost.pending.map(({ clientId, text, status, error }) => ({ clientId, text, status, error }))).toEqual([
        { clientId: "mine-2", text: "hello", status: "failed", error: "the server lost it" },
        { clientId: "later", text: "later", status: "sending", error: undefined },
      ]);
      // Told twice (a resumed stream says it again): nothing changes.
      expect(markLost(lost, 1, 1_000_002)).toBe(lost);
      // Nothing of this viewer's in the span: nothing to do.
      expect(markLost(state, 1_000_003, 1_000_010)).toBe(state);

      // Retry stores it anew, under a later id: its bubble is confirmed once, at its new place.
      const retried = confirm(
        lost,
        message(1_000_004, { mine: true, clientId: "mine-2", sender: "me", text: "hello" }),
      );
      expect(retried.confirmed.map((item) => [item.id, item.mine])).toEqual([
        [1, false],
        [3, false],
        [1_000_003, false],
        [1_000_004, true],
      ]);
      expect(retried.pending.map((item) => item.clientId)).toEqual(["later"]);
    });

    it("shows a partner's message resent after the loss once, in its new place", () => {
      let state = confirm(emptyConversation, message(3, { clientId: "theirs-3", text: "hi" }));
      state = markLost(state, 2, 1_000_003);
      state = confirm(state, message(1_000_003, { clientId: "theirs-3", text: "hi" }));
      expect(state.confirmed.map((item) => [item.id, item.text])).toEqual([[1_000_003, "hi"]]);
    });

    it("replaces a message when its id comes back with different content, and an own one displaced is Not sent", () => {
      let state = confirm(emptyConversation, message(1));
      state = confirm(state, message(2, { mine: true, clientId: "mine-2", text: "lost one", timestamp: 50 }));
      // The same message again (the stream after the send's answer) is a repeat.
      expect(confirm(state, message(2, { mine: true, clientId: "mine-2", text: "lost one", timestamp: 50 }))).toBe(
        state,
      );
      // A server that handed id 2 out again, for the partner's next message.
      const reused = confirm(state, message(2, { clientId: "theirs-2", text: "new one", timestamp: 80 }));
      expect(reused.confirmed.map((item) => [item.id, item.text, item.mine])).toEqual([
        [1, "m1", false],
        [2, "new one", false],
      ]);
      expect(reused.pending.map(({ clientId, text, status }) => ({ clientId, text, status }))).toEqual([
        { clientId: "mine-2", text: "lost one", status: "failed" },
      ]);
    });
  });
});
