import { TRPCError } from "@trpc/server";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerFor, joinAsNewVisitor, makeServices } from "../../../tests/support/app";
import { hostileInput } from "../../../tests/support/hostile";
import { opaque } from "../../../tests/support/opaque";
import { createRoom, STORE_KINDS } from "../../../tests/support/stores";
import type { Services } from "../services";

const CLIENT_ERRORS = new Set(["BAD_REQUEST", "UNAUTHORIZED", "NOT_FOUND", "TOO_MANY_REQUESTS", "PAYLOAD_TOO_LARGE"]);

describe.each(STORE_KINDS)("procedures under hostile input (%s store)", (kind) => {
  let services: Services;
  beforeAll(() => {
    services = makeServices(kind);
  });
  afterAll(() => services.close());

  it("either succeed or fail with a client error and a message, polluting nothing", async () => {
    const victim = await createRoom(services.store);
    const victimCaller = callerFor(services, await joinAsNewVisitor(services, victim));
    await victimCaller.message.send({ roomId: victim, ciphertext: opaque("untouchable"), clientId: "v-1" });
    await victimCaller.room.publishKeys({ roomId: victim, publicKeys: "x25519.victim" });
    const before = await victimCaller.message.list({ roomId: victim });

    const own = await createRoom(services.store);
    const attacker = callerFor(services, await joinAsNewVisitor(services, own));
    const calls: Record<string, (input: unknown) => Promise<unknown>> = {
      "room.create": (input) => attacker.room.create(input as never),
      "room.ttl": (input) => attacker.room.ttl(input as never),
      "room.destroy": (input) => attacker.room.destroy(input as never),
      "room.events": async (input) => {
        const iterable = await attacker.room.events(input as never);
        await (iterable as AsyncIterable<unknown>)[Symbol.asyncIterator]().return?.();
      },
      "room.typing": (input) => attacker.room.typing(input as never),
      "room.publishKeys": (input) => attacker.room.publishKeys(input as never),
      "room.setName": (input) => attacker.room.setName(input as never),
      "message.send": (input) => attacker.message.send(input as never),
      "message.list": (input) => attacker.message.list(input as never),
      "message.receipt": (input) => attacker.message.receipt(input as never),
    };
    const victimStateBefore = await services.store.roomState(victim);

    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...Object.keys(calls)), hostileInput, async (name, input) => {
        try {
          await calls[name]!(input);
        } catch (error) {
          expect(error).toBeInstanceOf(TRPCError);
          const { code, message } = error as TRPCError;
          expect(CLIENT_ERRORS.has(code), `${name} failed with ${code}: ${message}`).toBe(true);
          expect(message.length).toBeGreaterThan(0);
        }
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: 400 },
    );

    expect(await victimCaller.message.list({ roomId: victim })).toEqual(before);
    const victimState = await services.store.roomState(victim);
    expect(victimState?.keys).toEqual(victimStateBefore?.keys);
    expect(victimState?.typing).toEqual([]);
    expect(victimState?.receipts).toEqual(victimStateBefore?.receipts);
  });
});
