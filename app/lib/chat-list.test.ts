import { describe, expect, it } from "vitest";
import type { ChatListItem } from "~/shared/direct-chats";
import { applyChatEvent, chatRows, newMessageFrom } from "./chat-list";

const NOW = 1_700_000_000_000;
const item = (chatId: string, partner: string | null, lastActivityAt: number, unread = 0): ChatListItem => ({
  chatId,
  partner: partner === null ? null : { username: partner },
  lastActivityAt,
  unread,
  presence: { here: false, lastSeenAgoMs: 60_000 },
});

describe("the chat list", () => {
  it("orders chats by newest activity and dates last visits on this browser's clock", () => {
    const rows = chatRows([item("a", "ann", 1), item("b", "bob", 3), item("c", null, 2)], NOW);
    expect(rows.map((row) => row.chatId)).toEqual(["b", "c", "a"]);
    expect(rows[0]).toMatchObject({ partner: "bob", here: false, lastSeenAt: NOW - 60_000 });
    expect(rows[1]?.partner).toBeNull();
  });

  it("moves a chat with new activity to the top, adds a new one, and drops a removed one", () => {
    const rows = chatRows([item("a", "ann", 2), item("b", "bob", 1)], NOW);
    const moved = applyChatEvent(rows, { type: "chat", chat: item("b", "bob", 5, 1) }, NOW);
    expect(moved.map((row) => [row.chatId, row.unread])).toEqual([
      ["b", 1],
      ["a", 0],
    ]);
    const added = applyChatEvent(moved, { type: "chat", chat: item("c", "cat", 4) }, NOW);
    expect(added.map((row) => row.chatId)).toEqual(["b", "c", "a"]);
    expect(applyChatEvent(added, { type: "removed", chatId: "c" }, NOW).map((row) => row.chatId)).toEqual(["b", "a"]);
  });

  it("shows a partner coming and going, whatever the case of their name", () => {
    const rows = chatRows([item("a", "ann", 2), item("b", "bob", 1)], NOW);
    const here = applyChatEvent(rows, { type: "presence", username: "BOB", here: true, lastSeenAgoMs: null }, NOW);
    expect(here.find((row) => row.chatId === "b")).toMatchObject({ here: true, lastSeenAt: null });
    expect(here.find((row) => row.chatId === "a")).toBe(rows.find((row) => row.chatId === "a"));
    const gone = applyChatEvent(here, { type: "presence", username: "bob", here: false, lastSeenAgoMs: 0 }, NOW + 5);
    expect(gone.find((row) => row.chatId === "b")).toMatchObject({ here: false, lastSeenAt: NOW + 5 });
  });

  it("finds a new message to notify about only where the unread count rose", () => {
    const rows = chatRows([item("a", "ann", 2, 1)], NOW);
    expect(newMessageFrom(rows, { type: "chat", chat: item("a", "ann", 3, 2) })).toBe("ann");
    expect(newMessageFrom(rows, { type: "chat", chat: item("a", "ann", 3, 0) })).toBeNull();
    expect(newMessageFrom(rows, { type: "chat", chat: item("a", "ann", 3, 1) })).toBeNull();
    expect(newMessageFrom(rows, { type: "chat", chat: item("n", "ned", 3, 1) })).toBe("ned");
    expect(newMessageFrom(rows, { type: "chat", chat: item("d", null, 3, 1) })).toBeNull();
    expect(newMessageFrom(rows, { type: "removed", chatId: "a" })).toBeNull();
  });
});
