import { describe, expect, it, vi } from "vitest";
import type { MessagePayload } from "./crypto/message-payload";
import { ReplayGuard, RoomEventOpener, type OpenerDeps } from "./message-opener";
import type { ChatMessage, OpenedRoomEvent } from "./chat-message";
import type { RoomEvent, SealedMessage } from "~/shared/room-events";

/** "Ciphertext" here is the payload as JSON, or "bad" for one that does not open. */
const sealed = (
  id: number,
  clientId: string,
  text: string | null,
  extra: Partial<SealedMessage> = {},
): SealedMessage => ({
  id,
  clientId,
  ciphertext: text === null ? "bad" : JSON.stringify({ kind: "text", name: "otter", text }),
  timestamp: 1000 + id,
  mine: false,
  ...extra,
});
const messageEvent = (message: SealedMessage): RoomEvent => ({ type: "message", message });

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Opens with a delay that differs per message, so a naive opener would reorder them. */
function fakeDeps(overrides: Partial<OpenerDeps> = {}): OpenerDeps {
  return {
    async openMessage(message) {
      await delay(message.id % 2 === 0 ? 1 : 15);
      if (message.ciphertext === "bad") throw new Error("does not open");
      return JSON.parse(message.ciphertext) as MessagePayload;
    },
    async openName(name) {
      await delay(5);
      if (name === "bad") throw new Error("does not open");
      return name.toUpperCase();
    },
    async openMemberName(name) {
      await delay(5);
      if (name === "bad") throw new Error("does not open");
      return `member ${name}`;
    },
    ...overrides,
  };
}

function run(deps: OpenerDeps = fakeDeps()) {
  const applied: OpenedRoomEvent[] = [];
  const opener = new RoomEventOpener(deps, (event) => applied.push(event));
  const messages = () =>
    applied.flatMap((event) => (event.type === "message" ? [event.message] : [])) satisfies ChatMessage[];
  return { opener, applied, messages };
}

describe("opening a room's stream", () => {
  it("applies events in the order they arrived, though opening takes longer for some", async () => {
    const { opener, applied } = run();
    opener.push(messageEvent(sealed(1, "a", "one")));
    opener.push({ type: "presence", here: true, lastSeen: 5 });
    opener.push(messageEvent(sealed(2, "b", "two")));
    opener.push({ type: "typing", typing: true, name: "lynx", expiresInMs: 3000 });
    opener.push(messageEvent(sealed(3, "c", "three")));
    opener.push({ type: "receipts", delivered: 3, seen: 2 });
    await opener.idle();
    expect(applied.map((event) => (event.type === "message" ? event.message.text : event.type))).toEqual([
      "one",
      "presence",
      "two",
      "typing",
      "three",
      "receipts",
    ]);
  });

  it("shows what was inside: the sealed name and text, the id and time the server gave", async () => {
    const { opener, messages } = run();
    opener.push(messageEvent(sealed(7, "client-7", "hello")));
    opener.push(messageEvent(sealed(8, "client-8", "mine", { mine: true, status: "seen" })));
    await opener.idle();
    expect(messages()).toEqual([
      { id: 7, sender: "otter", text: "hello", timestamp: 1007, mine: false, clientId: "client-7" },
      { id: 8, sender: "otter", text: "mine", timestamp: 1008, mine: true, clientId: "client-8", status: "seen" },
    ]);
  });

  it("marks a message that does not open, keeps its place, and goes on with the next", async () => {
    const { opener, messages } = run();
    opener.push(messageEvent(sealed(1, "a", "before")));
    opener.push(messageEvent(sealed(2, "b", null)));
    opener.push(messageEvent(sealed(3, "c", "after")));
    await opener.idle();
    expect(messages().map((message) => [message.id, message.text, message.undecryptable ?? false])).toEqual([
      [1, "before", false],
      [2, "", true],
      [3, "after", false],
    ]);
    // Nothing of it is shown, the name included.
    expect(messages()[1]).toEqual({ id: 2, sender: "", text: "", timestamp: 1002, mine: false, undecryptable: true });
  });

  it("drops a replay: a clientId already opened from the same side, under a new id", async () => {
    const { opener, messages } = run();
    opener.push(messageEvent(sealed(1, "dup", "original")));
    opener.push(messageEvent(sealed(2, "dup", "original")));
    // The same id again is a repeat delivery (a resumed stream), not a replay.
    opener.push(messageEvent(sealed(1, "dup", "original")));
    // The other side may use the same clientId: it is a different sender.
    opener.push(messageEvent(sealed(3, "dup", "mine", { mine: true })));
    opener.push(messageEvent(sealed(4, "dup", "mine again", { mine: true })));
    await opener.idle();
    expect(messages().map((message) => [message.id, message.mine])).toEqual([
      [1, false],
      [1, false],
      [3, true],
    ]);
  });

  it("lets garbage claim no clientId: the genuine message after it still shows", async () => {
    const { opener, messages } = run();
    opener.push(messageEvent(sealed(1, "x", null)));
    opener.push(messageEvent(sealed(2, "x", "genuine")));
    await opener.idle();
    expect(messages().map((message) => message.text)).toEqual(["", "genuine"]);
  });

  it("lets a clientId the server said it lost come back under a new id (resent after a failover)", async () => {
    const { opener, messages } = run();
    opener.push(messageEvent(sealed(3, "resent", "hi")));
    opener.push({ type: "lost", after: 2, before: 1_000_003 });
    opener.push(messageEvent(sealed(1_000_003, "resent", "hi")));
    // Outside any lost span it is still a replay.
    opener.push(messageEvent(sealed(1_000_009, "resent", "hi")));
    await opener.idle();
    expect(messages().map((message) => message.id)).toEqual([3, 1_000_003]);
  });

  it("drops a replay of an own message the send's answer already confirmed", async () => {
    const replays = new ReplayGuard();
    const applied: OpenedRoomEvent[] = [];
    const opener = new RoomEventOpener(fakeDeps(), (event) => applied.push(event), replays);
    expect(replays.accept(true, "sent-1", 4)).toBe(true);
    opener.push(messageEvent(sealed(4, "sent-1", "hi", { mine: true })));
    opener.push(messageEvent(sealed(9, "sent-1", "hi", { mine: true })));
    await opener.idle();
    expect(applied.map((event) => event.type === "message" && event.message.id)).toEqual([4]);
  });

  it("opens the typist's name, and names nobody when it does not open or typing stops", async () => {
    const { opener, applied } = run();
    opener.push({ type: "typing", typing: true, name: "lynx", expiresInMs: 3000 });
    opener.push({ type: "typing", typing: true, name: "bad", expiresInMs: 3000 });
    opener.push({ type: "typing", typing: false, name: "", expiresInMs: 0 });
    await opener.idle();
    expect(applied).toEqual([
      { type: "typing", typing: true, name: "LYNX", expiresInMs: 3000 },
      { type: "typing", typing: true, name: null, expiresInMs: 3000 },
      { type: "typing", typing: false, name: null, expiresInMs: 0 },
    ]);
  });

  it("opens a member's announced name, and passes on null for one it cannot open", async () => {
    const { opener, applied } = run();
    opener.push({ type: "name", mine: false, name: "lynx" });
    opener.push({ type: "name", mine: true, name: "bad" });
    await opener.idle();
    expect(applied).toEqual([
      { type: "name", mine: false, name: "member lynx" },
      { type: "name", mine: true, name: null },
    ]);
  });

  it("hands partner keys to the agreement and holds back what follows until it is done", async () => {
    const order: string[] = [];
    const onPartnerKeys = vi.fn(async (keys: string) => {
      await delay(20);
      order.push(`agreed with ${keys}`);
    });
    const deps = fakeDeps({
      onPartnerKeys,
      openMessage: async (message) => {
        order.push(`opened ${message.id}`);
        return { kind: "text", name: "Stranger", text: "hi" };
      },
    });
    const { opener, applied } = run(deps);
    opener.push({ type: "partner-keys", publicKeys: "p256.abc" });
    opener.push(messageEvent(sealed(1, "a", "hi")));
    await opener.idle();
    expect(order).toEqual(["agreed with p256.abc", "opened 1"]);
    // The keys themselves never reach the page's state.
    expect(applied.map((event) => event.type)).toEqual(["message"]);
  });

  it("survives an agreement that throws, and applies nothing once stopped", async () => {
    const { opener, applied } = run(fakeDeps({ onPartnerKeys: () => Promise.reject(new Error("bad keys")) }));
    opener.push({ type: "partner-keys", publicKeys: "junk" });
    opener.push({ type: "members", count: 2 });
    await opener.idle();
    expect(applied).toEqual([{ type: "members", count: 2 }]);
    opener.stop();
    opener.push({ type: "members", count: 1 });
    await opener.idle();
    expect(applied).toHaveLength(1);
  });

  it("shows an image message by what its payload says, with no text", async () => {
    const image = { id: "img_12345678", width: 640, height: 480, bytes: 51_200, type: "image/webp" } as const;
    const { opener, messages } = run(fakeDeps({ openMessage: async () => ({ kind: "image", name: "otter", image }) }));
    opener.push(messageEvent(sealed(5, "e", "ignored")));
    await opener.idle();
    expect(messages()).toEqual([
      { id: 5, sender: "otter", text: "", timestamp: 1005, mine: false, clientId: "e", image },
    ]);
  });

  it("keeps sealed names to the usual length and gives a nameless sender a name", async () => {
    const long = "n".repeat(500);
    const { opener, messages } = run(
      fakeDeps({
        openMessage: async (message) => ({ kind: "text", name: message.id === 1 ? long : "  ", text: "t" }),
      }),
    );
    opener.push(messageEvent(sealed(1, "a", "t")));
    opener.push(messageEvent(sealed(2, "b", "t")));
    await opener.idle();
    expect(messages().map((message) => message.sender)).toEqual(["n".repeat(40), "Anonymous"]);
  });

  it("dates a direct chat's expiry from the moment the copy arrived, not from when it was opened", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: 50_000 });
    try {
      const { opener, messages } = run();
      opener.push(messageEvent(sealed(1, "a", "one", { expiresInMs: 60_000 })));
      opener.push(messageEvent(sealed(2, "b", null, { expiresInMs: 30_000 })));
      vi.setSystemTime(70_000);
      await opener.idle();
      expect(messages().map((message) => message.expiresAt)).toEqual([110_000, 80_000]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("turns a direct chat's notice into a line of the log without opening anything", async () => {
    const openMessage = vi.fn(fakeDeps().openMessage);
    const { opener, messages } = run(fakeDeps({ openMessage }));
    opener.push(
      messageEvent(
        sealed(7, "server-notice", null, {
          ciphertext: "",
          mine: true,
          notice: { kind: "timer", timerSeconds: 86_400 },
          expiresInMs: 1000,
        }),
      ),
    );
    await opener.idle();
    expect(openMessage).not.toHaveBeenCalled();
    expect(messages()).toEqual([
      {
        id: 7,
        sender: "",
        text: "",
        timestamp: 1007,
        mine: true,
        notice: { kind: "timer", timerSeconds: 86_400 },
        expiresAt: expect.any(Number),
      },
    ]);
  });
});
