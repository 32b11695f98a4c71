import { describe, expect, it } from "vitest";
import { CollectionRounds } from "./collection-rounds";

describe("CollectionRounds", () => {
  it("ends a round once every worker asked has answered, with their answers", async () => {
    const rounds = new CollectionRounds<string>(5000);
    const round = rounds.start([1, 2]);
    rounds.answer(round.id, 2, "two");
    rounds.answer(round.id, 1, "one");
    expect(await round.parts).toEqual(["two", "one"]);
  });

  it("goes on without a worker that exits before answering", async () => {
    const rounds = new CollectionRounds<string>(60_000);
    const round = rounds.start([1, 2]);
    rounds.answer(round.id, 1, "one");
    rounds.workerExited(2);
    expect(await round.parts).toEqual(["one"]);
  });

  it("ignores answers from workers it did not ask, and second answers", async () => {
    const rounds = new CollectionRounds<string>(60_000);
    const round = rounds.start([1, 2]);
    rounds.answer(round.id, 3, "stranger");
    rounds.answer(round.id, 1, "one");
    rounds.answer(round.id, 1, "one again");
    rounds.answer(round.id, 2, "two");
    expect(await round.parts).toEqual(["one", "two"]);
  });

  it("keeps rounds apart", async () => {
    const rounds = new CollectionRounds<string>(60_000);
    const first = rounds.start([1]);
    const second = rounds.start([1]);
    rounds.answer(second.id, 1, "for the second");
    rounds.answer(first.id, 1, "for the first");
    expect(await first.parts).toEqual(["for the first"]);
    expect(await second.parts).toEqual(["for the second"]);
  });

  it("fails a round a worker reports an error for, or one that runs out of time", async () => {
    const rounds = new CollectionRounds<string>(20);
    const failed = rounds.start([1, 2]);
    rounds.fail(failed.id, new Error("registry broke"));
    await expect(failed.parts).rejects.toThrow("registry broke");
    await expect(rounds.start([1]).parts).rejects.toThrow("a worker did not answer for its metrics");
  });

  it("ends at once when there is nobody to ask", async () => {
    expect(await new CollectionRounds<string>(60_000).start([]).parts).toEqual([]);
  });
});
