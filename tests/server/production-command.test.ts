import { describe, expect, it } from "vitest";
import { containerCommand, productionNodeFlags, startCommand } from "../support/production-command";

describe("the production command", () => {
  it("is the same in the container as in `npm start`, so the benchmark measures what deploys", () => {
    expect(containerCommand()).toEqual(startCommand());
  });

  it("runs the server with a 32 MB young generation (decision 012)", () => {
    expect(productionNodeFlags()).toContain("--max-semi-space-size=32");
  });
});
