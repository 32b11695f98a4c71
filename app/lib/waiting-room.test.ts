import { describe, expect, it } from "vitest";
import { encode } from "uqr";
import type { OpenedRoomEvent as RoomEvent } from "./chat-message";
import { addPending } from "./conversation";
import { applyRoomEvent, initialRoomViewState, updateConversation, type RoomViewState } from "./room-view-state";
import { qrPath, waitingForPartner } from "./waiting-room";

const NOW = 1_700_000_000_000;
const alone: RoomEvent[] = [
  { type: "members", count: 1 },
  { type: "presence", here: false, lastSeen: null },
];
const run = (events: RoomEvent[], state: RoomViewState = initialRoomViewState) =>
  events.reduce((current, event) => applyRoomEvent(current, event, NOW), state);

describe("waiting for the other person", () => {
  it("waits in a private room with one seat taken, nobody seen and nothing written", () => {
    expect(waitingForPartner("private", run(alone))).toBe(true);
  });

  it("says nothing before the stream gives the seat count", () => {
    expect(waitingForPartner("private", initialRoomViewState)).toBe(false);
  });

  it("stops as soon as the second seat is taken", () => {
    expect(waitingForPartner("private", run([...alone, { type: "members", count: 2 }]))).toBe(false);
  });

  it("never waits in a stranger chat or a direct chat", () => {
    expect(waitingForPartner("match", run(alone))).toBe(false);
    expect(waitingForPartner("direct", run(alone))).toBe(false);
  });

  it("does not wait once someone has been here and gone without leaving, but waits again after a Leave", () => {
    const cameAndWent = run([
      ...alone,
      { type: "presence", here: true, lastSeen: NOW },
      { type: "presence", here: false, lastSeen: NOW },
      { type: "members", count: 1 },
    ]);
    expect(waitingForPartner("private", cameAndWent)).toBe(false);
    const left = run([
      ...alone,
      { type: "members", count: 2 },
      { type: "partner-left" },
      { type: "members", count: 1 },
    ]);
    expect(waitingForPartner("private", left)).toBe(true);
    const leftThenTaken = run([{ type: "members", count: 2 }], left);
    expect(waitingForPartner("private", leftThenTaken)).toBe(false);
  });

  it("does not wait once there is a message, sent or still sending", () => {
    const sent = run([
      ...alone,
      { type: "message", message: { id: 1, sender: "me", text: "hi", timestamp: NOW, mine: true } },
    ]);
    expect(waitingForPartner("private", sent)).toBe(false);
    const sending = updateConversation(run(alone), (conversation) =>
      addPending(conversation, { clientId: "c1", sender: "me", text: "hi", timestamp: NOW, status: "sending" }),
    );
    expect(waitingForPartner("private", sending)).toBe(false);
  });
});

describe("a QR code as an SVG path", () => {
  it("draws each run of dark modules as one rectangle, moved in by the quiet zone", () => {
    expect(
      qrPath(
        [
          [true, true, false],
          [false, true, false],
          [true, false, true],
        ],
        4,
      ),
    ).toBe("M4 4h2v1h-2zM5 5h1v1h-1zM4 6h1v1h-1zM6 6h1v1h-1z");
  });

  it("draws nothing for a row with no dark module", () => {
    expect(qrPath([[false, false]], 1)).toBe("");
  });

  it("covers exactly the encoder's dark modules for a real room link", () => {
    const link = `https://ephemera.example/room/${"a".repeat(21)}#${"B".repeat(43)}`;
    const { data, size } = encode(link, { ecc: "M", border: 0 });
    const dark = new Set<string>();
    for (const [, x, y, width] of qrPath(data, 4).matchAll(/M(\d+) (\d+)h(\d+)v1h-\d+z/g)) {
      for (let step = 0; step < Number(width); step += 1) dark.add(`${Number(x) + step - 4},${Number(y) - 4}`);
    }
    const expected = data.flatMap((row, y) => row.flatMap((on, x) => (on ? [`${x},${y}`] : [])));
    expect([...dark].sort()).toEqual(expected.sort());
    expect(size).toBe(data.length);
  });
});
