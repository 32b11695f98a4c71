import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rejection } from "../../../tests/support/trpc-error";
import { callerFor, cookiePair, TEST_SECRET, visitorCookie, visitRoom } from "../../../tests/support/app";
import { fromOpaque, opaque } from "../../../tests/support/opaque";
import { collect, makeStorage, STORE_KINDS } from "../../../tests/support/stores";
import { waitFor } from "../../../tests/support/wait-for";
import type { MatchEvent, StrangerState } from "~/shared/match-events";
import type { RoomEvent } from "~/shared/room-events";
import { parseEnv } from "../env";
import { createServices, type Services } from "../services";

/** The match procedures with either store; Redis database 2 is this file's own queue. */
describe.each(STORE_KINDS)("match procedures (%s store)", (kind) => {
  let services: Services;
  beforeAll(() => {
    const config = parseEnv({
      NODE_ENV: "test",
      SESSION_SECRET: TEST_SECRET,
      RATE_LIMITS: "off",
      PRESENCE_GRACE_MS: "500",
    });
    services = createServices(config, makeStorage(kind, { database: 2 }));
  });
  afterAll(async () => {
    await services.close();
  });

  /** A stranger: a visitor cookie, and a caller that carries it (plus any room cookie they get). */
  async function stranger() {
    let cookie = await visitorCookie(services);
    return {
      get caller() {
        return callerFor(services, cookie);
      },
      callerUntil(signal: AbortSignal) {
        return callerFor(services, cookie, signal);
      },
      async enter(roomId: string) {
        const result = await visitRoom(services, roomId, { cookie });
        if (result.kind === "member" && result.setCookie) cookie = `${cookie}; ${cookiePair(result.setCookie)}`;
        return result;
      },
    };
  }

  async function matchedPair() {
    const [alice, bob] = [await stranger(), await stranger()];
    expect(await alice.caller.match.find({})).toMatchObject({ status: "waiting" });
    const state = await bob.caller.match.find({});
    if (state.status !== "matched") throw new Error(`expected a match, got ${JSON.stringify(state)}`);
    await alice.enter(state.roomId);
    await bob.enter(state.roomId);
    return { alice, bob, roomId: state.roomId };
  }

  it("refuses the queue to a browser without a visitor cookie", async () => {
    const error = await rejection(() => callerFor(services).match.find({}));
    expect(error).toMatchObject({ code: "UNAUTHORIZED", message: expect.stringContaining("visitor cookie") });
  });

  it("seats exactly the two strangers in their room, whoever else has the link", async () => {
    const [alice, bob] = [await stranger(), await stranger()];
    await alice.caller.match.find({});
    const matched = (await bob.caller.match.find({})) as Extract<StrangerState, { status: "matched" }>;
    expect(await alice.enter(matched.roomId)).toMatchObject({ kind: "member", seat: 1, roomKind: "match" });
    expect(await bob.enter(matched.roomId)).toMatchObject({ kind: "member", seat: 2, roomKind: "match" });
    expect(await visitRoom(services, matched.roomId)).toMatchObject({
      kind: "redirect",
      location: "/?error=room-full",
    });
    expect(await (await stranger()).enter(matched.roomId)).toMatchObject({
      kind: "redirect",
      location: "/?error=room-full",
    });
    await alice.caller.message.send({ roomId: matched.roomId, ciphertext: opaque("hi stranger"), clientId: "a-1" });
    const { messages } = await bob.caller.message.list({ roomId: matched.roomId });
    expect(messages.map((message) => [fromOpaque(message.ciphertext), message.clientId, message.mine])).toEqual([
      ["hi stranger", "a-1", false],
    ]);
    // A stranger chat's seat cannot be handed to someone else.
    expect(await rejection(() => bob.caller.room.leave({ roomId: matched.roomId }))).toMatchObject({
      code: "BAD_REQUEST",
    });
    await alice.caller.match.end({ roomId: matched.roomId });
  });

  it("skips: the chat ends for both, and the skipper is queued for someone new", async () => {
    const { alice, bob, roomId } = await matchedPair();
    const bobEvents = collect((await bob.caller.room.events({ roomId })) as AsyncIterable<unknown>);
    expect(await alice.caller.match.next({ roomId })).toMatchObject({ status: "waiting" });
    await bobEvents.finished;
    expect((bobEvents.items.at(-1) as [string, RoomEvent])[1]).toEqual({ type: "destroyed" });
    expect(await rejection(() => bob.caller.message.list({ roomId }))).toMatchObject({ code: "NOT_FOUND" });
    // Bob looks again: not paired with Alice right away.
    expect(await bob.caller.match.find({})).toMatchObject({ status: "waiting" });
    const carol = await stranger();
    const carolState = await carol.caller.match.find({});
    expect(carolState).toMatchObject({ status: "matched" });
    // Alice has waited longest.
    expect(await alice.caller.match.find({})).toEqual(carolState);
    await bob.caller.match.cancel({});
  });

  it("ends a chat, leaving the visitor idle, and only their own chat", async () => {
    const { alice, bob, roomId } = await matchedPair();
    const other = await matchedPair();
    expect(await rejection(() => alice.caller.match.end({ roomId: other.roomId }))).toMatchObject({
      code: "UNAUTHORIZED",
    });
    expect(await alice.caller.match.end({ roomId })).toEqual({ status: "idle" });
    expect(await rejection(() => bob.caller.match.end({ roomId }))).toMatchObject({ code: "NOT_FOUND" });
    await other.alice.caller.match.next({ roomId: other.roomId, report: true });
    await other.alice.caller.match.cancel({});
  });

  it("streams the visitor's state and the counts, and the match the moment it is made", async () => {
    const alice = await stranger();
    const controller = new AbortController();
    const events = collect((await alice.callerUntil(controller.signal).match.events({})) as AsyncIterable<unknown>);
    const seen = () => events.items.map((item) => (item as [string, MatchEvent])[1]);
    await waitFor(() => seen().some((event) => event.type === "counts"), { what: "the first counts" });
    expect(seen()[0]).toEqual({ type: "state", state: { status: "idle" } });
    await alice.caller.match.find({});
    const bob = await stranger();
    const matched = await bob.caller.match.find({});
    await waitFor(() => seen().some((event) => event.type === "state" && event.state.status === "matched"), {
      what: "the match",
    });
    expect(
      seen()
        .filter((event) => event.type === "state")
        .map((event) => event.type === "state" && event.state),
    ).toEqual([{ status: "idle" }, { status: "waiting", since: expect.any(Number) }, matched]);
    expect(await services.matches.counts()).toMatchObject({ chatting: expect.any(Number) });
    // "Online" counts people with the chat open: one page opening it is one more.
    if (matched.status !== "matched") throw new Error("expected a match");
    const { online } = await callerFor(services).match.stats();
    const closePage = await services.store.connect(matched.roomId, 1);
    expect((await callerFor(services).match.stats()).online).toBe(online + 1);
    closePage();
    controller.abort();
    await events.finished;
  });
});
