import { describe, expect, it } from "vitest";
import { LAST_PARTNER_COOLDOWN_MS } from "~/shared/match-events";
import { newRoomId } from "../room-token";
import { MemoryRoomStore } from "../rooms/memory-store";
import { MemoryMatchStore } from "./memory-match-store";

/** The in-memory queue on a clock the test moves: what ten minutes do to two who just talked. */
describe("MemoryMatchStore specifics", () => {
  it("pairs two who just talked once their cooldown is over", async () => {
    let clock = Date.now();
    const matches = new MemoryMatchStore(new MemoryRoomStore({ now: () => clock }), {
      graceMs: 60_000,
      now: () => clock,
    });
    const find = (visitorId: string) => matches.find(visitorId, { roomId: newRoomId(), roomTtlMs: 60_000 });
    await find("alice");
    const first = await find("bob");
    if (first.status !== "matched") throw new Error("expected a match");
    await matches.end("alice", first.roomId, { block: false });
    const endedAt = clock;
    // Their search pages stay open all along: they stay queued.
    const release = await Promise.all([matches.hold("alice"), matches.hold("bob")]);
    await find("alice");
    expect(await find("bob")).toEqual({
      status: "waiting",
      since: clock,
      lastPartnerUntil: endedAt + LAST_PARTNER_COOLDOWN_MS,
    });

    clock = endedAt + LAST_PARTNER_COOLDOWN_MS - 1;
    expect(await find("bob")).toMatchObject({
      status: "waiting",
      lastPartnerUntil: endedAt + LAST_PARTNER_COOLDOWN_MS,
    });
    clock = endedAt + LAST_PARTNER_COOLDOWN_MS;
    expect(await matches.state("alice")).toEqual({ status: "waiting", since: endedAt });
    const again = await find("bob");
    expect(again).toMatchObject({ status: "matched" });
    expect(await matches.state("alice")).toEqual(again);
    for (const done of release) done();
    await matches.close();
  });
});
