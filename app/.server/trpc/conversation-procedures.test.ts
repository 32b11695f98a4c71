import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rejection } from "../../../tests/support/trpc-error";
import { callerFor, joinAsNewVisitor, makeServices, visitRoom } from "../../../tests/support/app";
import { fromOpaque, opaque, opaqueName } from "../../../tests/support/opaque";
import { collect, createRoom, STORE_KINDS } from "../../../tests/support/stores";
import { waitFor } from "../../../tests/support/wait-for";
import type { RoomEvent } from "~/shared/room-events";
import type { Services } from "../services";

/** Server-side callers yield tRPC's raw `tracked()` envelopes: [id, data, marker]. */
const data = (items: ReadonlyArray<unknown>) => items.map((item) => (item as [string, RoomEvent])[1]);

describe.each(STORE_KINDS)("conversation procedures (%s store)", (kind) => {
  let services: Services;
  beforeAll(() => {
    services = makeServices(kind);
  });
  afterAll(() => services.close());

  async function roomForTwo() {
    const roomId = await createRoom(services.store);
    const aliceCookie = await joinAsNewVisitor(services, roomId);
    const bobCookie = await joinAsNewVisitor(services, roomId);
    return { roomId, alice: callerFor(services, aliceCookie), bob: callerFor(services, bobCookie) };
  }

  it("relays typing to the partner only, with the typist's sealed name exactly as sent", async () => {
    const { roomId, alice, bob } = await roomForTwo();
    const aliceEvents = collect((await alice.room.events({ roomId })) as AsyncIterable<unknown>);
    await waitFor(() => data(aliceEvents.items).some((event) => event.type === "receipts"), {
      what: "alice's stream state",
    });
    const sealedName = opaqueName("  bob  ");
    expect(await bob.room.typing({ roomId, typing: true, name: sealedName })).toEqual({ ok: true });
    await waitFor(() => data(aliceEvents.items).some((event) => event.type === "typing"), { what: "bob typing" });
    const typing = data(aliceEvents.items).find((event) => event.type === "typing");
    expect(typing).toEqual({
      type: "typing",
      typing: true,
      name: sealedName,
      expiresInMs: 3000,
    });
    // Unread and untouched: the partner's browser opens it and finds what was sealed.
    expect(typing?.type === "typing" && fromOpaque(typing.name)).toBe("  bob  ");
    await alice.room.typing({ roomId, typing: true, name: opaqueName("alice") });
    // Stopping needs no name.
    expect(await bob.room.typing({ roomId, typing: false })).toEqual({ ok: true });
    await waitFor(() => data(aliceEvents.items).filter((event) => event.type === "typing").length === 2, {
      what: "bob stopping",
    });
    // Alice's own typing never came back to her.
    expect(
      data(aliceEvents.items)
        .filter((event) => event.type === "typing")
        .map((event) => "typing" in event && event.typing),
    ).toEqual([true, false]);
    await alice.room.destroy({ roomId });
    await aliceEvents.finished;
  });

  it("drops a typing signal that arrives after the message it was typed for", async () => {
    const { roomId, alice, bob } = await roomForTwo();
    const aliceEvents = collect((await alice.room.events({ roomId })) as AsyncIterable<unknown>);
    await waitFor(() => data(aliceEvents.items).some((event) => event.type === "receipts"), {
      what: "alice's stream state",
    });
    await bob.message.send({ roomId, ciphertext: opaque("pasted and sent"), clientId: "draft-1" });
    expect(await bob.room.typing({ roomId, typing: true, name: opaqueName("bob"), draft: "draft-1" })).toEqual({
      ok: true,
    });
    const nextDraft = opaqueName("bob, next message");
    await bob.room.typing({ roomId, typing: true, name: nextDraft, draft: "draft-2" });
    const typed = () => data(aliceEvents.items).flatMap((event) => (event.type === "typing" ? [event.name] : []));
    await waitFor(() => typed().includes(nextDraft), { what: "the next draft's typing" });
    // Events arrive in the order the store took them: the late one for draft-1 was never published.
    expect(typed()).toEqual([nextDraft]);
    await alice.room.destroy({ roomId });
    await aliceEvents.finished;
  });

  it("reports each own message's delivery status in message.list, monotonically", async () => {
    const { roomId, alice, bob } = await roomForTwo();
    for (const text of ["one", "two", "three"])
      await alice.message.send({ roomId, ciphertext: opaque(text), clientId: `a-${text}` });
    await bob.message.receipt({ roomId, delivered: 3, seen: 1 });
    await bob.message.receipt({ roomId, delivered: 2 }); // late and lower: changes nothing
    const statuses = async () => (await alice.message.list({ roomId })).messages.map((message) => message.status);
    expect(await statuses()).toEqual(["seen", "delivered", "delivered"]);
    await bob.message.receipt({ roomId, seen: 3 });
    expect(await statuses()).toEqual(["seen", "seen", "seen"]);
    // Alice's own receipts are about Bob's messages, not hers.
    await alice.message.receipt({ roomId, seen: 3 });
    await bob.message.send({ roomId, ciphertext: opaque("four"), clientId: "b-four" });
    expect((await bob.message.list({ roomId })).messages.map((message) => message.status)).toEqual([
      undefined,
      undefined,
      undefined,
      "sent",
    ]);
  });

  it.each([
    [{ delivered: -1 }, "delivered: must not be negative"],
    [{ seen: 1.5 }, "seen: must be a whole number"],
    [{}, "delivered: give delivered, seen or both"],
    [{ delivered: "7" }, "delivered: must be a message id"],
  ])("rejects the receipt %j with BAD_REQUEST naming the field", async (input, message) => {
    const { roomId, bob } = await roomForTwo();
    const error = await rejection(() => bob.message.receipt({ roomId, ...(input as object) }));
    expect(error).toMatchObject({ code: "BAD_REQUEST", message });
  });

  it.each([
    [{ typing: "yes", name: opaqueName("bob") }, "typing: must be true or false"],
    [{ typing: true }, "name: must be given (sealed) when typing"],
    [{ typing: true, name: "bob" }, "name: must be at least 38 characters: it is not sealed"],
    [
      { typing: true, name: "bob the builder, typing in plain text!" },
      "name: must be base64url (letters, digits, '-' and '_')",
    ],
    [{ typing: true, name: `${opaqueName("bob")}=` }, "name: must be base64url (letters, digits, '-' and '_')"],
    [{ typing: true, name: "A".repeat(257) }, "name: must be at most 256 characters"],
    [{ typing: true, name: 42 }, "name: must be sealed text (base64url)"],
    [
      { typing: true, name: opaqueName("bob"), draft: "a draft?" },
      "draft: must be 1 to 36 letters, digits, '-' or '_'",
    ],
    [
      { typing: true, name: opaqueName("bob"), draft: 7 },
      "draft: must be the send's id: 1 to 36 letters, digits, '-' or '_'",
    ],
  ])("rejects the typing signal %j with BAD_REQUEST naming the field", async (input, message) => {
    const { roomId, alice, bob } = await roomForTwo();
    const aliceEvents = collect((await alice.room.events({ roomId })) as AsyncIterable<unknown>);
    const error = await rejection(() => bob.room.typing({ roomId, ...(input as { typing: boolean; name: string }) }));
    expect(error).toMatchObject({ code: "BAD_REQUEST", message });
    expect((await services.store.roomState(roomId))?.typing).toEqual([]);
    await alice.room.destroy({ roomId });
    await aliceEvents.finished;
    expect(data(aliceEvents.items).filter((event) => event.type === "typing")).toEqual([]);
  });

  it("accepts a sealed name of exactly the maximum length", async () => {
    const { roomId, bob } = await roomForTwo();
    const longest = opaqueName("n".repeat((256 * 3) / 4 - 28));
    expect(longest).toHaveLength(256);
    expect(await bob.room.typing({ roomId, typing: true, name: longest })).toEqual({ ok: true });
    expect((await services.store.roomState(roomId))?.typing).toEqual([
      { seat: 2, name: longest, expiresInMs: expect.any(Number) },
    ]);
  });

  it("lets a member leave once, after which the link admits a new person", async () => {
    const { roomId, bob } = await roomForTwo();
    // Bob's other tab stops reading the room the moment he gives up his seat.
    const otherTab = collect((await bob.room.events({ roomId })) as AsyncIterable<unknown>);
    await waitFor(() => data(otherTab.items).some((event) => event.type === "receipts"), {
      what: "the other tab's stream",
    });
    expect(await bob.room.leave({ roomId })).toEqual({ ok: true });
    await otherTab.finished;
    expect(data(otherTab.items).at(-1)).toEqual({ type: "left" });
    expect(await rejection(() => bob.room.leave({ roomId }))).toMatchObject({ code: "UNAUTHORIZED" });
    expect(await visitRoom(services, roomId)).toMatchObject({ kind: "member", seat: 3 });
    expect(await visitRoom(services, roomId)).toMatchObject({ kind: "redirect", location: "/?error=room-full" });
  });

  it("answers a retried send with the stored message instead of a second copy", async () => {
    const { roomId, alice, bob } = await roomForTwo();
    const attempts = await Promise.all(
      [1, 2, 3].map(() => alice.message.send({ roomId, ciphertext: opaque("retry"), clientId: "same-id" })),
    );
    expect(attempts.map((message) => message.id)).toEqual([1, 1, 1]);
    expect(attempts.map((message) => message.timestamp)).toEqual([1, 2, 3].map(() => attempts[0]!.timestamp));
    expect(attempts[0]).toEqual({ id: 1, clientId: "same-id", timestamp: expect.any(Number), status: "sent" });
    const [stored, ...rest] = (await bob.message.list({ roomId })).messages;
    expect(rest).toEqual([]);
    expect(stored).toMatchObject({ ciphertext: opaque("retry"), clientId: "same-id", mine: false });
  });
});
