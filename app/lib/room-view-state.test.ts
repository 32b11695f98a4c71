import { describe, expect, it } from "vitest";
import { newcomerNotice, partnerStatus, whileReconnecting } from "./partner";
import type { ChatMessage, OpenedRoomEvent as RoomEvent } from "./chat-message";
import {
  applyRoomEvent,
  expireMessages,
  expirePartnerTyping,
  initialRoomViewState,
  type RoomViewState,
} from "./room-view-state";

const NOW = 1_700_000_000_000;
const message = (id: number, mine = false, sender = "otter"): RoomEvent => ({
  type: "message",
  message: { id, sender, text: `m${id}`, timestamp: NOW, mine } satisfies ChatMessage,
});
const presence = (here: boolean, lastSeen: number | null = here ? NOW : NOW - 60_000): RoomEvent => ({
  type: "presence",
  here,
  lastSeen,
});
const typing = (on: boolean, name = "otter", expiresInMs = 3000): RoomEvent => ({
  type: "typing",
  typing: on,
  name,
  expiresInMs,
});

const named = (name: string | null, mine = false): RoomEvent => ({ type: "name", mine, name });

function run(events: RoomEvent[], state: RoomViewState = initialRoomViewState, now = NOW): RoomViewState {
  return events.reduce((current, event) => applyRoomEvent(current, event, now), state);
}
const notices = (state: RoomViewState) => state.conversation.notices.map((notice) => notice.text);

describe("room state from the stream", () => {
  it("announces nothing about the state found on arrival, then each change", () => {
    const arrived = run([message(1), { type: "members", count: 2 }, presence(true)]);
    expect(notices(arrived)).toEqual([]);
    expect(partnerStatus(arrived.partner)).toEqual({ kind: "online" });
    expect(arrived.memberCount).toBe(2);

    const away = run([presence(false, NOW + 5), presence(false, NOW + 5)], arrived);
    expect(notices(away)).toEqual(["otter left"]);
    expect(partnerStatus(away.partner)).toEqual({ kind: "last-seen", at: NOW + 5 });
    const back = run([presence(true)], away);
    expect(notices(back)).toEqual(["otter left", "otter joined"]);
    expect(back.conversation.notices.map((notice) => notice.afterId)).toEqual([1, 1]);
  });

  it("shows nobody online or typing while this browser reconnects, and keeps what else it knew", () => {
    const here = run([presence(true), typing(true, "lynx")]);
    const reconnecting = whileReconnecting(here.partner);
    expect(partnerStatus(reconnecting)).toEqual({ kind: "unconfirmed" });
    expect(reconnecting.typing).toBeNull();
    expect(reconnecting.name).toBe("lynx");
    const away = run([presence(false, NOW + 5)], here);
    expect(partnerStatus(whileReconnecting(away.partner))).toEqual({ kind: "last-seen", at: NOW + 5 });
  });

  it("calls a partner with no known name 'Your partner', and waits for someone who never came", () => {
    const alone = run([{ type: "members", count: 1 }, presence(false, null)]);
    expect(partnerStatus(alone.partner)).toEqual({ kind: "waiting" });
    expect(partnerStatus(initialRoomViewState.partner)).toEqual({ kind: "unknown" });
    // Nameless as they come in (choosing a name): the log says who joined once they have one.
    const choosing = run([presence(true)], alone);
    expect(notices(choosing)).toEqual([]);
    // Here, but not yet named: the header says someone is joining, not "Your partner".
    expect(partnerStatus(choosing.partner)).toEqual({ kind: "joining" });
    expect(notices(run([named("lynx")], choosing))).toEqual(["lynx joined"]);
  });

  it("names the partner as soon as they announce it, before any message, and says each rename", () => {
    // The stream's state on opening: the partner's name comes before seats and presence.
    const opened = run([named("lynx"), { type: "members", count: 2 }, presence(true)]);
    expect(opened.partner.name).toBe("lynx");
    expect(notices(opened)).toEqual([]);
    expect(opened.ownName).toBeNull();

    const renamed = run([named("Lena")], opened);
    expect(renamed.partner.name).toBe("Lena");
    expect(notices(renamed)).toEqual(["lynx is now called Lena"]);
    // The same name again (a resumed stream) is not news.
    expect(run([named("Lena")], renamed)).toBe(renamed);
    // An older message, or a typing signal from a page that still seals its old name, does not undo it.
    const later = run([message(5, false, "lynx"), typing(true, "lynx")], renamed);
    expect(later.partner.name).toBe("Lena");
    expect(later.partner.typing?.name).toBe("Lena");
    expect(run([presence(false, NOW + 5)], later).conversation.notices.at(-1)?.text).toBe("Lena left");
    // A name that could not be opened changes nothing.
    expect(run([named(null)], renamed)).toBe(renamed);
  });

  it("takes the name a page's messages carried as a first name, not as a rename", () => {
    const fromMessages = run([message(1, false, "otter"), named("Olga"), { type: "members", count: 2 }]);
    expect(fromMessages.partner.name).toBe("Olga");
    expect(notices(fromMessages)).toEqual([]);
  });

  it("knows this viewer's own name from the stream, or that they have none yet", () => {
    expect(initialRoomViewState.ownName).toBeUndefined();
    const nameless = run([{ type: "members", count: 1 }]);
    expect(nameless.ownName).toBeNull();
    const mine = run([named("Alice", true), { type: "members", count: 1 }]);
    expect(mine.ownName).toBe("Alice");
    expect(mine.partner.name).toBeNull();
    // Renamed in another tab: this one follows.
    expect(run([named("Ally", true)], mine).ownName).toBe("Ally");
    // A later seat count is not "no name".
    expect(run([{ type: "members", count: 2 }], mine).ownName).toBe("Alice");
  });

  it("says nothing for a newcomer who leaves before choosing a name", () => {
    const alone = run([{ type: "members", count: 1 }, presence(false, null)]);
    const bounced = run([presence(true), presence(false, NOW + 5)], alone);
    expect(notices(bounced)).toEqual([]);
    expect(partnerStatus(bounced.partner)).toEqual({ kind: "last-seen", at: NOW + 5 });
  });

  it("learns the name from typing, and clears the indicator on stop, message, departure or expiry", () => {
    const base = run([presence(true)]);
    const typingState = run([typing(true, "lynx")], base);
    expect(typingState.partner.typing).toEqual({ name: "lynx", until: NOW + 3000 });
    expect(typingState.partner.name).toBe("lynx");
    expect(run([typing(false, "lynx")], typingState).partner.typing).toBeNull();
    expect(run([message(4, false, "lynx")], typingState).partner.typing).toBeNull();
    expect(run([message(4, true, "me")], typingState).partner.typing).not.toBeNull();
    expect(run([presence(false)], typingState).partner.typing).toBeNull();
    expect(run([{ type: "partner-left" }], typingState).partner.typing).toBeNull();

    expect(expirePartnerTyping(typingState, NOW + 2999)).toBe(typingState);
    expect(expirePartnerTyping(typingState, NOW + 3000).partner.typing).toBeNull();
  });

  it("announces Leave once, waits for one new person, and greets them without the old name", () => {
    const before = run([message(1, false, "otter"), presence(true), { type: "members", count: 2 }]);
    const left = run([{ type: "partner-left" }, { type: "members", count: 1 }, presence(false, NOW + 10)], before);
    expect(notices(left)).toEqual(["otter left the room. The link now lets one new person in."]);
    expect(partnerStatus(left.partner)).toEqual({ kind: "waiting" });
    expect(left.memberCount).toBe(1);

    const newcomer = run([{ type: "partner-arrived", after: 1 }, { type: "members", count: 2 }, presence(true)], left);
    expect(notices(newcomer).at(-1)).toBe(newcomerNotice(null));
    // Still choosing the name the viewer will see: said with it, once chosen.
    expect(partnerStatus(newcomer.partner)).toEqual({ kind: "joining" });
    const named_ = run([named("gecko")], newcomer);
    expect(notices(named_).at(-1)).toBe("gecko joined");
    expect(partnerStatus(named_.partner)).toEqual({ kind: "online" });
    expect(named_.partner.name).toBe("gecko");
  });

  it("tells the one who stayed, once and where it starts, that a newcomer cannot read what came before", () => {
    const before = run([message(1), message(2, true), presence(true), { type: "members", count: 2 }]);
    const left = run([{ type: "partner-left" }, presence(false, NOW + 10), message(3, true)], before);
    // Arrived (the page took the seat) but not here yet: nothing to say until they open the room.
    const seated = run([{ type: "partner-arrived", after: 3 }, { type: "members", count: 2 }, message(4, true)], left);
    expect(notices(seated)).toEqual(["otter left the room. The link now lets one new person in."]);
    const here = run([presence(true), { type: "partner-arrived", after: 3 }], seated);
    expect(here.conversation.notices.slice(1)).toEqual([{ key: "n1", text: newcomerNotice(null), afterId: 3 }]);
    // Later comings and goings are the usual ones.
    const back = run([presence(false), presence(true), named("gecko")], here);
    expect(notices(back).slice(2)).toEqual(["Your partner left", "gecko joined"]);

    // A reloaded page learns it from the stream's state, and marks the same place in the log.
    const reloaded = run([
      message(1),
      message(2, true),
      message(3, true),
      message(4, true),
      { type: "partner-arrived", after: 3 },
      presence(true),
    ]);
    expect(reloaded.conversation.notices).toEqual([{ key: "n0", text: newcomerNotice(null), afterId: 3 }]);
    // The stream names the seats first: a newcomer who chose a name is named, and no more is said.
    const reloadedNamed = run([message(1), named("gecko"), { type: "partner-arrived", after: 1 }, presence(true)]);
    expect(notices(reloadedNamed)).toEqual([
      "gecko took the free seat. They cannot read anything sent before they arrived.",
    ]);
  });

  it("says nothing about a newcomer who gives the seat back without opening the room", () => {
    const alone = run([message(1, true), { type: "members", count: 1 }, presence(false, null)]);
    const bounced = run(
      [{ type: "partner-arrived", after: 1 }, { type: "members", count: 2 }, { type: "partner-left" }],
      alone,
    );
    expect(notices(bounced)).toEqual([]);
  });

  it("keeps the known name when a typist's sealed name could not be opened", () => {
    const named = run([presence(true), message(1, false, "lynx")]);
    const unreadable = run([{ type: "typing", typing: true, name: null, expiresInMs: 3000 }], named);
    expect(unreadable.partner.typing).toEqual({ name: "lynx", until: NOW + 3000 });
    expect(unreadable.partner.name).toBe("lynx");
    const nameless = run([{ type: "typing", typing: true, name: null, expiresInMs: 3000 }], run([presence(true)]));
    expect(nameless.partner.typing?.name).toBe("Your partner");
    // Nor does a message that could not be opened rename anyone.
    const garbled = run(
      [{ type: "message", message: { id: 2, sender: "", text: "", timestamp: NOW, mine: false, undecryptable: true } }],
      named,
    );
    expect(garbled.partner.name).toBe("lynx");
    expect(garbled.conversation.confirmed.map((item) => item.id)).toEqual([1, 2]);
  });

  it("says nothing when someone who never opened the room gives their seat back", () => {
    const alone = run([{ type: "members", count: 1 }, presence(false, null)]);
    const bounced = run(
      [{ type: "members", count: 2 }, { type: "partner-left" }, { type: "members", count: 1 }],
      alone,
    );
    expect(notices(bounced)).toEqual([]);
    expect(bounced.memberCount).toBe(1);
    expect(partnerStatus(bounced.partner)).toEqual({ kind: "waiting" });
  });

  it("keeps receipt watermarks rising and leaves unrelated state untouched", () => {
    const state = run([
      { type: "receipts", delivered: 4, seen: 2 },
      { type: "receipts", delivered: 3, seen: 3 },
    ]);
    expect(state.receipts).toEqual({ delivered: 4, seen: 3 });
    expect(run([{ type: "receipts", delivered: 1, seen: 1 }], state)).toBe(state);
    expect(run([{ type: "destroyed" }], state)).toBe(state);
  });

  it("removes what a clear covered and keeps what came after it", () => {
    const state = run([message(1), message(2, true), message(3), { type: "presence", here: true, lastSeen: NOW }]);
    const cleared = run([{ type: "cleared", upTo: 2 }], state);
    expect(cleared.conversation.confirmed.map((item) => item.id)).toEqual([3]);
    expect(cleared.partner).toBe(state.partner);
  });

  it("lets a direct chat's messages disappear at their expiry", () => {
    const timed = (id: number, expiresAt: number): RoomEvent => ({
      type: "message",
      message: { id, sender: "otter", text: `m${id}`, timestamp: NOW, mine: false, expiresAt },
    });
    const state = run([timed(1, NOW + 1000), timed(2, NOW + 2000)]);
    expect(expireMessages(state, NOW + 999)).toBe(state);
    expect(expireMessages(state, NOW + 1000).conversation.confirmed.map((item) => item.id)).toEqual([2]);
  });

  it("keeps comings and goings out of the log when told not to announce them", () => {
    const quiet = [presence(true), presence(false), presence(true)].reduce(
      (current, event) => applyRoomEvent(current, event, NOW, false),
      initialRoomViewState,
    );
    expect(notices(quiet)).toEqual([]);
    // A direct chat names no seat: its header shows the account's name, and "joining" as online.
    expect(partnerStatus(quiet.partner)).toEqual({ kind: "joining" });
    // The same events in a room are announced.
    expect(notices(run([message(1), presence(true), presence(false), presence(true)]))).toEqual([
      "otter left",
      "otter joined",
    ]);
  });

  it("does not take a direct chat's notice for something the partner wrote", () => {
    const state = run([message(1), typing(true)]);
    const notice: RoomEvent = {
      type: "message",
      message: { id: 2, sender: "", text: "", timestamp: NOW, mine: false, notice: { kind: "cleared" } },
    };
    const after = run([notice], state);
    expect(after.partner).toBe(state.partner);
    expect(after.conversation.confirmed.map((item) => item.id)).toEqual([1, 2]);
  });
});
