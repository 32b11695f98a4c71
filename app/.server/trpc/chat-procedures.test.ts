import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { fakeSignUp, TestBrowser } from "../../../tests/support/account-browser";
import { uniqueUsername } from "../../../tests/support/account-stores";
import { CHROME_UA, makeServices } from "../../../tests/support/app";
import { opaque } from "../../../tests/support/opaque";
import { makeStorage, STORE_KINDS } from "../../../tests/support/stores";
import { rejection } from "../../../tests/support/trpc-error";
import { waitFor } from "../../../tests/support/wait-for";
import type { ChatEvent } from "~/shared/direct-chats";
import type { Services } from "../services";
import { createContext } from "./context";
import { createCaller } from "./root";

describe.each(STORE_KINDS)("chat procedures (%s)", (kind) => {
  let services: Services;

  beforeAll(() => {
    services = makeServices(kind, { CHAT_SHORTEST_TIMER_SECONDS: "5" }, makeStorage(kind));
  });
  afterAll(() => services?.close());

  /** A new account, signed in in a browser of its own. */
  async function person(name = uniqueUsername("dm")) {
    const browser = new TestBrowser(services);
    const input = fakeSignUp(name);
    const { username } = await browser.call((trpc) => trpc.account.signUp(input));
    return { username, browser, call: browser.call.bind(browser), publicKeys: input.identity.keyPairs };
  }

  /** Two people with a chat opened by the first. */
  async function pair() {
    const [alice, bob] = [await person(), await person()];
    const opened = await alice.call((trpc) => trpc.chat.open({ username: bob.username }));
    return { alice, bob, chatId: opened.chatId, opened };
  }

  let sends = 0;
  const send = (who: Awaited<ReturnType<typeof person>>, chatId: string) =>
    who.call((trpc) =>
      trpc.message.send({ roomId: chatId, ciphertext: opaque("sealed"), clientId: `c${(sends += 1)}` }),
    );

  const listOf = async (who: Awaited<ReturnType<typeof person>>) => (await who.call((trpc) => trpc.chat.list())).chats;

  describe("search", () => {
    it("finds names by a start of two or more characters, never the caller, at most ten", async () => {
      const stem = uniqueUsername("srch").slice(0, 16);
      const me = await person(`${stem}_me`);
      for (let index = 0; index < 11; index += 1) await person(`${stem}_${String(index).padStart(2, "0")}`);
      const { people } = await me.call((trpc) => trpc.chat.search({ query: stem.toUpperCase() }));
      expect(people).toHaveLength(10);
      expect(people.map((found) => found.username)).not.toContain(me.username);
      expect(people[0]).toEqual({ username: `${stem}_00` });
      const exact = await me.call((trpc) => trpc.chat.search({ query: `${stem}_07` }));
      expect(exact.people).toEqual([{ username: `${stem}_07` }]);
    });

    it("refuses a query with characters no name has, naming the field, and anyone signed out", async () => {
      const me = await person();
      const bad = await rejection(() => me.call((trpc) => trpc.chat.search({ query: "a%" })));
      expect(bad.code).toBe("BAD_REQUEST");
      expect(bad.message).toMatch(/^query: /);
      const stranger = new TestBrowser(services);
      const refused = await rejection(() => stranger.call((trpc) => trpc.chat.search({ query: "al" })));
      expect(refused.code).toBe("UNAUTHORIZED");
    });
  });

  describe("open", () => {
    it("gives both people the same chat, each their own seat, the partner's public keys and the default timer", async () => {
      const { alice, bob, opened } = await pair();
      const back = await bob.call((trpc) => trpc.chat.open({ username: alice.username.toUpperCase() }));
      expect(back.chatId).toBe(opened.chatId);
      expect(opened.chatId).toMatch(/^[0-9A-Za-z]{21}$/);
      expect(new Set([opened.me.seat, back.me.seat])).toEqual(new Set([1, 2]));
      expect(opened.partner.username).toBe(bob.username);
      expect(opened.partner.publicKeys.map((key) => key.publicKey)).toEqual(bob.publicKeys.map((key) => key.publicKey));
      expect(opened.timerSeconds).toBe(3600);
      expect(opened.timerChoices).toEqual([5, 300, 3600, 86_400, 604_800]);
      expect(opened.blocked).toBe("none");
    });

    it("refuses an unknown name, yourself and a malformed name with their own codes", async () => {
      const me = await person();
      const unknown = await rejection(() => me.call((trpc) => trpc.chat.open({ username: uniqueUsername("ghost") })));
      expect(unknown.code).toBe("NOT_FOUND");
      expect(unknown.message).toMatch(/^No account is called /);
      const self = await rejection(() => me.call((trpc) => trpc.chat.open({ username: me.username })));
      expect(self.code).toBe("BAD_REQUEST");
      const malformed = await rejection(() => me.call((trpc) => trpc.chat.open({ username: "a b" })));
      expect(malformed.code).toBe("BAD_REQUEST");
      expect(malformed.message).toMatch(/^username: /);
    });
  });

  describe("messages", () => {
    it("are sent and read with the session alone, each with its own expiry; nobody else may read them", async () => {
      const { alice, bob, chatId } = await pair();
      const sent = await send(alice, chatId);
      expect(sent.expiresInMs).toBeGreaterThan(3_590_000);
      expect(sent.expiresInMs).toBeLessThanOrEqual(3_600_000);
      const { messages } = await bob.call((trpc) => trpc.message.list({ roomId: chatId }));
      expect(messages.map((message) => message.clientId)).toEqual([sent.clientId]);
      expect(messages[0]!.mine).toBe(false);
      const carol = await person();
      const refused = await rejection(() => carol.call((trpc) => trpc.message.list({ roomId: chatId })));
      expect(refused.code).toBe("UNAUTHORIZED");
      const signedOut = await rejection(() =>
        new TestBrowser(services).call((trpc) => trpc.message.list({ roomId: chatId })),
      );
      expect(signedOut.code).toBe("UNAUTHORIZED");
    });

    it("move the chat to the top of both lists and count as unread for the partner until seen", async () => {
      const { alice, bob, chatId } = await pair();
      const { chatId: otherChat } = await pair().then(async (other) => {
        // bob has an older chat with someone else.
        const opened = await bob.call((trpc) => trpc.chat.open({ username: other.alice.username }));
        const older = await send(bob, opened.chatId);
        // Two sends in one millisecond would tie, and a tie has no order.
        await waitFor(() => Date.now() > older.timestamp);
        return opened;
      });
      const sent = await send(alice, chatId);
      const bobs = await waitFor(async () => {
        const list = await listOf(bob);
        return list[0]?.chatId === chatId && list[0].unread === 1 ? list : null;
      });
      expect(bobs.map((item) => item.chatId)).toEqual([chatId, otherChat]);
      expect(bobs[0]!.partner).toEqual({ username: alice.username });
      expect(bobs[0]!.lastActivityAt).toBe(sent.timestamp);
      await waitFor(async () => (await listOf(alice))[0]?.lastActivityAt === sent.timestamp, {
        what: "the sender's list to move",
      });
      expect((await listOf(alice))[0]!.unread).toBe(0);
      await bob.call((trpc) => trpc.message.receipt({ roomId: chatId, delivered: sent.id, seen: sent.id }));
      await waitFor(async () => (await listOf(bob))[0]?.unread === 0, { what: "the chat read" });
    });

    it("are read once the chat is opened: its unread count clears, receipts or not", async () => {
      const { alice, bob, chatId } = await pair();
      await send(alice, chatId);
      await waitFor(async () => (await listOf(bob))[0]?.unread === 1, { what: "bob's unread message" });
      await bob.call((trpc) => trpc.chat.open({ username: alice.username }));
      expect((await listOf(bob))[0]).toMatchObject({ chatId, unread: 0 });
    });

    it("are refused while either person blocks the other, with no more said than that", async () => {
      const { alice, bob, chatId } = await pair();
      await bob.call((trpc) => trpc.chat.block({ username: alice.username }));
      const refused = await rejection(() => send(alice, chatId));
      expect(refused.code).toBe("FORBIDDEN");
      expect(refused.message).toBe("You can't message this person");
      const reopened = await rejection(() => alice.call((trpc) => trpc.chat.open({ username: bob.username })));
      expect(reopened).toMatchObject({ code: "FORBIDDEN", message: "You can't message this person" });
      expect((await bob.call((trpc) => trpc.chat.open({ username: alice.username }))).blocked).toBe("by-me");
      await expect(send(bob, chatId)).rejects.toMatchObject({ code: "FORBIDDEN" });
      await bob.call((trpc) => trpc.chat.unblock({ username: alice.username }));
      expect((await send(alice, chatId)).status).toBe("sent");
    });
  });

  describe("timer and clear", () => {
    it("changes the timer for later messages only, with a notice both see", async () => {
      const { alice, bob, chatId } = await pair();
      const before = await send(alice, chatId);
      const bad = await rejection(() => bob.call((trpc) => trpc.chat.setTimer({ chatId, timerSeconds: 42 })));
      expect(bad.code).toBe("BAD_REQUEST");
      expect(bad.message).toMatch(/^timerSeconds: must be one of 5, 300, 3600, 86400, 604800/);
      await bob.call((trpc) => trpc.chat.setTimer({ chatId, timerSeconds: 86_400 }));
      const after = await send(alice, chatId);
      expect(after.expiresInMs).toBeGreaterThan(86_000_000);
      const { messages } = await alice.call((trpc) => trpc.message.list({ roomId: chatId }));
      expect(messages.map((message) => message.id)).toEqual([before.id, expect.any(Number), after.id]);
      expect(messages[1]).toMatchObject({ notice: { kind: "timer", timerSeconds: 86_400 }, mine: false });
      expect(messages[0]!.expiresInMs).toBeLessThanOrEqual(3_600_000);
    });

    it("clears every message for both and leaves a notice", async () => {
      const { alice, bob, chatId } = await pair();
      await send(alice, chatId);
      await send(bob, chatId);
      await alice.call((trpc) => trpc.chat.clear({ chatId }));
      const { messages } = await bob.call((trpc) => trpc.message.list({ roomId: chatId }));
      expect(messages).toHaveLength(1);
      expect(messages[0]).toMatchObject({ notice: { kind: "cleared" }, mine: false });
    });

    it("refuses timer and clear on a chat that is not the caller's", async () => {
      const { chatId } = await pair();
      const carol = await person();
      const refused = await rejection(() => carol.call((trpc) => trpc.chat.clear({ chatId })));
      expect(refused.code).toBe("NOT_FOUND");
    });
  });

  it("refuses to destroy or leave a chat between accounts", async () => {
    const { alice, chatId } = await pair();
    const destroy = await rejection(() => alice.call((trpc) => trpc.room.destroy({ roomId: chatId })));
    expect(destroy.code).toBe("BAD_REQUEST");
    const leave = await rejection(() => alice.call((trpc) => trpc.room.leave({ roomId: chatId })));
    expect(leave.code).toBe("BAD_REQUEST");
  });

  it("refuses a name in a chat between accounts, which goes by their usernames", async () => {
    const { alice, chatId } = await pair();
    const named = await rejection(() =>
      alice.call((trpc) => trpc.room.setName({ roomId: chatId, name: opaque("Al") })),
    );
    expect(named).toMatchObject({
      code: "BAD_REQUEST",
      message: "roomId: a chat between accounts goes by the accounts' usernames",
    });
    expect((await services.store.roomState(chatId))?.names).toEqual([]);
  });

  it("ends an account's chats for both when it is deleted", async () => {
    const { alice, bob, chatId } = await pair();
    await send(alice, chatId);
    await waitFor(async () => (await listOf(bob)).some((item) => item.chatId === chatId));
    await alice.call((trpc) => trpc.account.delete({ username: alice.username }));
    expect((await listOf(bob)).some((item) => item.chatId === chatId)).toBe(false);
    const gone = await rejection(() => bob.call((trpc) => trpc.message.list({ roomId: chatId })));
    expect(gone.code).toBe("NOT_FOUND");
  });

  it("ends the account's streams, its list and its chats, once its session is signed out", async () => {
    const { alice, chatId } = await pair();
    services.sessionRecheckMs = 50;
    const headers = new Headers({ cookie: alice.browser.cookie!, "user-agent": CHROME_UA });
    const caller = createCaller(createContext(headers, services, "203.0.113.20"));
    const ended = { list: false, chat: false };
    const list = (async () => {
      for await (const _event of await caller.chat.events()) {
        // Reads until the stream ends.
      }
      ended.list = true;
    })();
    const chat = (async () => {
      for await (const _event of await caller.room.events({ roomId: chatId })) {
        // Reads until the stream ends.
      }
      ended.chat = true;
    })();
    await send(alice, chatId);
    expect(ended).toEqual({ list: false, chat: false });
    await alice.call((trpc) => trpc.account.signOut());
    await waitFor(() => ended.list && ended.chat, { what: "both streams to end" });
    await Promise.all([list, chat]);
    services.sessionRecheckMs = 30_000;
  });

  it.each(["chat.events", "room.events"] as const)(
    "watches the session of an account's %s only once it has its slot, and no longer than the stream",
    async (stream) => {
      const limited = makeServices(kind, { RATE_LIMITS: "on", RATE_LIMIT_STREAMS_PER_PERSON: "1" }, makeStorage(kind));
      try {
        limited.sessionRecheckMs = 40;
        const [browser, partner] = [new TestBrowser(limited), new TestBrowser(limited)];
        const partnerName = uniqueUsername("dm");
        await partner.call((trpc) => trpc.account.signUp(fakeSignUp(partnerName)));
        await browser.call((trpc) => trpc.account.signUp(fakeSignUp(uniqueUsername("dm"))));
        const { chatId } = await browser.call((trpc) => trpc.chat.open({ username: partnerName }));
        const lookups = vi.spyOn(limited.accounts, "findSession");
        const held = new AbortController();
        const open = async (signal?: AbortSignal) => {
          const caller = createCaller(
            createContext(new Headers({ cookie: browser.cookie!, "user-agent": CHROME_UA }), limited, "203.0.113.21"),
            { signal },
          );
          return stream === "chat.events" ? caller.chat.events() : caller.room.events({ roomId: chatId });
        };
        const first = await open(held.signal);
        const firstRead = first[Symbol.asyncIterator]().next();
        await waitFor(() => lookups.mock.calls.length >= 2, { what: "the open stream's session checks" });
        // A second stream is refused: it must not start a watch of its own.
        const refused = await rejection(async () => {
          for await (const _event of await open()) break;
        });
        expect(refused.code).toBe("TOO_MANY_REQUESTS");
        held.abort();
        await firstRead.catch(() => undefined);
        // A room stream is iterated until it ends; the list's ends at its first read.
        for await (const _event of first) {
          // Drains what the stream yielded before it saw the abort.
        }
        const after = lookups.mock.calls.length;
        // Nothing checks the session once the only accepted stream has ended.
        const quietUntil = Date.now() + 5 * limited.sessionRecheckMs;
        await waitFor(() => Date.now() > quietUntil, { what: "five check periods" });
        expect(lookups.mock.calls.length).toBe(after);
      } finally {
        await limited.close();
      }
    },
  );

  it("streams the list's changes to the account: a new message, then the partner's presence", async () => {
    const { alice, bob, chatId } = await pair();
    const controller = new AbortController();
    const events: ChatEvent[] = [];
    const headers = new Headers({ cookie: bob.browser.cookie!, "user-agent": CHROME_UA });
    const caller = createCaller(createContext(headers, services, "203.0.113.20"), { signal: controller.signal });
    const reading = (async () => {
      for await (const event of await caller.chat.events()) events.push(event);
    })();
    // Bob's stream is open once he counts as here for alice.
    await waitFor(async () => {
      await alice.call((trpc) => trpc.chat.open({ username: bob.username }));
      return (await listOf(alice))[0]?.presence.here;
    });
    await send(alice, chatId);
    const arrived = await waitFor(() =>
      events.find((event) => event.type === "chat" && event.chat.chatId === chatId && event.chat.unread === 1),
    );
    expect(arrived).toMatchObject({ chat: { partner: { username: alice.username } } });
    controller.abort();
    await reading.catch(() => undefined);
  });
});
