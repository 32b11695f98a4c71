import { describe, expect, it } from "vitest";
import { partnerName } from "./partner";
import type { OpenedRoomEvent as RoomEvent } from "./chat-message";
import { applyRoomEvent, type RoomViewState } from "./room-view-state";
import { maskStrangerName, STRANGER_NAME, strangerDisconnected, strangerRoomViewState } from "./stranger";

const NOW = 1_700_000_000_000;
const message = (mine: boolean, sender = "otter-anonymous-1a2b3"): RoomEvent => ({
  type: "message",
  message: { id: 1, sender, text: "hi", timestamp: NOW, mine },
});

function run(events: RoomEvent[], state: RoomViewState = strangerRoomViewState): RoomViewState {
  return events.map(maskStrangerName).reduce((current, event) => applyRoomEvent(current, event, NOW), state);
}

describe("a stranger chat shares no names", () => {
  it("shows the stranger's messages and typing as 'Stranger', whatever name their browser sent", () => {
    expect(maskStrangerName(message(false))).toEqual(message(false, STRANGER_NAME));
    expect(maskStrangerName({ type: "typing", typing: true, name: "otter", expiresInMs: 3000 })).toEqual({
      type: "typing",
      typing: true,
      name: STRANGER_NAME,
      expiresInMs: 3000,
    });
    const typing = run([{ type: "typing", typing: true, name: "otter", expiresInMs: 3000 }]);
    expect(typing.partner.typing?.name).toBe(STRANGER_NAME);
  });

  it("leaves own messages and everything else as they are", () => {
    const own = message(true, STRANGER_NAME);
    expect(maskStrangerName(own)).toBe(own);
    const members: RoomEvent = { type: "members", count: 2 };
    expect(maskStrangerName(members)).toBe(members);
  });

  it("names the stranger in notices before they have said anything", () => {
    expect(partnerName(strangerRoomViewState.partner)).toBe(STRANGER_NAME);
    const state = run([
      { type: "presence", here: false, lastSeen: null },
      { type: "presence", here: true, lastSeen: NOW },
      message(false),
      { type: "presence", here: false, lastSeen: NOW },
    ]);
    expect(state.conversation.notices.map((notice) => notice.text)).toEqual(["Stranger joined", "Stranger left"]);
    expect(state.conversation.confirmed.map((item) => item.sender)).toEqual([STRANGER_NAME]);
  });

  it("calls a stranger disconnected only once they had been here and are gone", () => {
    expect(strangerDisconnected(strangerRoomViewState.partner)).toBe(false);
    expect(strangerDisconnected(run([{ type: "presence", here: false, lastSeen: null }]).partner)).toBe(false);
    expect(strangerDisconnected(run([{ type: "presence", here: true, lastSeen: NOW }]).partner)).toBe(false);
    expect(strangerDisconnected(run([{ type: "presence", here: false, lastSeen: NOW }]).partner)).toBe(true);
  });
});
