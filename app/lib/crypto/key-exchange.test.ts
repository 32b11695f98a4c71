import { describe, expect, it } from "vitest";
import { createKeyAgreement } from "./key-agreement";
import { commitmentTo, isCommitment, KeyExchange, type ExchangeStep } from "./key-exchange";
import { safetyCode } from "./safety-code";

const ROOM = "V1StGXR8_Z5jdHi6B-myT";

/** Delivers what each side publishes to the other, as the server's relay would. */
async function relay(from: ExchangeStep, to: KeyExchange): Promise<ExchangeStep[]> {
  const steps: ExchangeStep[] = [];
  for (const value of from.publish) steps.push(await to.receive(value));
  return steps;
}

describe("KeyExchange (commit, then reveal)", () => {
  it("publishes only a commitment first, then its keys once it holds the partner's commitment", async () => {
    const alice = await KeyExchange.start(ROOM);
    expect(alice.step.publish).toHaveLength(1);
    expect(isCommitment(alice.step.publish[0]!)).toBe(true);
    const bob = await KeyExchange.start(ROOM);
    const [bobReveals] = await relay(alice.step, bob.exchange);
    expect(bobReveals!.publish).toHaveLength(1);
    expect(isCommitment(bobReveals!.publish[0]!)).toBe(false);
    expect(await commitmentTo(bobReveals!.publish[0]!)).toBe(bob.step.publish[0]);
    expect(bobReveals!.key).toBeUndefined();
  });

  it("gives both sides the same key and safety code, whoever starts first", async () => {
    const alice = await KeyExchange.start(ROOM);
    const bob = await KeyExchange.start(ROOM);
    // Both commitments cross, then both reveals.
    const [aliceAfterCommit] = await relay(bob.step, alice.exchange);
    const [bobAfterCommit] = await relay(alice.step, bob.exchange);
    const [aliceDone] = await relay(bobAfterCommit!, alice.exchange);
    const [bobDone] = await relay(aliceAfterCommit!, bob.exchange);
    expect(aliceDone!.key?.secret).toBeDefined();
    expect(aliceDone!.key?.secret).toBe(bobDone!.key?.secret);
    expect(await safetyCode(aliceDone!.key!.secret, ROOM)).toBe(await safetyCode(bobDone!.key!.secret, ROOM));
  });

  it("takes a late partner's keys without their commitment (the server keeps only the latest value)", async () => {
    const alice = await KeyExchange.start(ROOM);
    const bob = await KeyExchange.start(ROOM);
    const [aliceReveal] = await relay(bob.step, alice.exchange);
    // Bob's page reloads its stream: it sees Alice's keys, never her commitment.
    const [bobDone] = await relay(aliceReveal!, bob.exchange);
    expect(bobDone!.publish).toHaveLength(1);
    const [aliceDone] = await relay(bobDone!, alice.exchange);
    expect(bobDone!.key?.secret).toBe(aliceDone!.key?.secret);
  });

  it("refuses keys that do not match the commitment it was given", async () => {
    const alice = await KeyExchange.start(ROOM);
    const bob = await KeyExchange.start(ROOM);
    await relay(bob.step, alice.exchange);
    const swapped = await createKeyAgreement();
    const step = await alice.exchange.receive(swapped.publicKeys);
    expect(step.key).toBeUndefined();
    expect(step.failed).toBe("interrupted");
    // And it stays over: Bob's genuine keys arriving later do not revive it.
    const [bobReveal] = await relay(alice.step, bob.exchange);
    const [late] = await relay(bobReveal!, alice.exchange);
    expect(late!.key).toBeUndefined();
  });

  it("gives up when the partner's commitment changes after it has revealed", async () => {
    const alice = await KeyExchange.start(ROOM);
    const bob = await KeyExchange.start(ROOM);
    const [aliceReveal] = await relay(bob.step, alice.exchange);
    expect(aliceReveal!.publish).toHaveLength(1);
    const bobAgain = await KeyExchange.start(ROOM);
    const [step] = await relay(bobAgain.step, alice.exchange);
    expect(step).toEqual({ publish: [], failed: "interrupted" });
  });

  it("ignores a repeat of the same commitment (a stream reconnecting re-sends the state)", async () => {
    const alice = await KeyExchange.start(ROOM);
    const bob = await KeyExchange.start(ROOM);
    const [first] = await relay(bob.step, alice.exchange);
    const [again] = await relay(bob.step, alice.exchange);
    expect(first!.publish).toHaveLength(1);
    expect(again).toEqual({ publish: [] });
  });

  it("fails cleanly on malformed keys under a matching commitment", async () => {
    const alice = await KeyExchange.start(ROOM);
    const garbage = "p256.not-a-key";
    await alice.exchange.receive(await commitmentTo(garbage));
    const step = await alice.exchange.receive(garbage);
    expect(step.failed).toBe("interrupted");
    expect(step.key).toBeUndefined();
  });
});
