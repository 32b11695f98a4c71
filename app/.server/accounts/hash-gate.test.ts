import { describe, expect, it } from "vitest";
import { createHashGate, HashingBusyError } from "./hash-gate";

/** A gate on a clock the test moves, and works the test finishes one by one. */
function harness(limits = { atOnce: 1, maxWaiting: 8, maxWaitMs: 400, alwaysServed: 2 }) {
  let clock = 0;
  const gate = createHashGate(limits, () => clock);
  const started: Array<() => void> = [];
  const outcomes: string[] = [];
  const submit = (name: string) =>
    gate(() => new Promise<void>((finish) => started.push(finish))).then(
      () => outcomes.push(`${name} done`),
      (error: unknown) => outcomes.push(`${name} ${error instanceof HashingBusyError ? "refused" : String(error)}`),
    );
  const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
  return {
    submit,
    outcomes,
    running: () => started.length,
    advance: (ms: number) => (clock += ms),
    /** Finishes the oldest running work and lets the gate hand its slot over. */
    async finishOne() {
      started.shift()!();
      await settle();
    },
    settle,
  };
}

describe("the hash gate", () => {
  it("runs at most atOnce works, in arrival order", async () => {
    const gate = harness({ atOnce: 2, maxWaiting: 8, maxWaitMs: 400, alwaysServed: 2 });
    for (const name of ["a", "b", "c", "d"]) void gate.submit(name);
    await gate.settle();
    expect(gate.running()).toBe(2);
    await gate.finishOne();
    await gate.finishOne();
    expect(gate.outcomes).toEqual(["a done", "b done"]);
    expect(gate.running()).toBe(2);
    await gate.finishOne();
    await gate.finishOne();
    expect(gate.outcomes).toEqual(["a done", "b done", "c done", "d done"]);
  });

  it("refuses a newcomer at once when the line is full", async () => {
    const gate = harness({ atOnce: 1, maxWaiting: 2, maxWaitMs: 400, alwaysServed: 2 });
    for (const name of ["a", "b", "c", "d"]) void gate.submit(name);
    await gate.settle();
    expect(gate.outcomes).toEqual(["d refused"]);
  });

  it("serves a short line however long it waited: one slow hash must not refuse the next", async () => {
    const gate = harness();
    for (const name of ["a", "b", "c"]) void gate.submit(name);
    await gate.settle();
    gate.advance(5_000);
    await gate.finishOne();
    await gate.finishOne();
    await gate.finishOne();
    expect(gate.outcomes).toEqual(["a done", "b done", "c done"]);
  });

  it("sheds the stale turns of a backlog, keeping the last few in line", async () => {
    const gate = harness();
    for (const name of ["a", "b", "c", "d", "e", "f"]) void gate.submit(name);
    await gate.settle();
    gate.advance(401);
    // b, c and d waited too long with at least two behind them; e and f are always served.
    await gate.finishOne();
    expect(gate.outcomes).toEqual(["a done", "b refused", "c refused", "d refused"]);
    await gate.finishOne();
    await gate.finishOne();
    expect(gate.outcomes.slice(4)).toEqual(["e done", "f done"]);
    // The gate is free again.
    void gate.submit("g");
    await gate.settle();
    expect(gate.running()).toBe(1);
  });

  it("serves a turn that came in time, however long the line", async () => {
    const gate = harness();
    for (const name of ["a", "b", "c", "d", "e"]) void gate.submit(name);
    await gate.settle();
    gate.advance(399);
    await gate.finishOne();
    expect(gate.outcomes).toEqual(["a done"]);
    expect(gate.running()).toBe(1);
  });

  it("hands the slot on when a work fails", async () => {
    const gate = createHashGate({ atOnce: 1, maxWaiting: 8, maxWaitMs: 400, alwaysServed: 2 });
    const failed = gate(() => Promise.reject(new Error("boom")));
    const next = gate(() => Promise.resolve("next"));
    await expect(failed).rejects.toThrow("boom");
    await expect(next).resolves.toBe("next");
  });
});
