import { describe, expect, it } from "vitest";
import { addPending, confirm, emptyConversation, updatePending, type PendingMessage } from "./conversation";
import type { ChatMessage } from "./room-events";

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
});
