import { describe, expect, it } from "vitest";
import { countExpiry, metrics } from "./metrics";

describe("countExpiry", () => {
  it("counts each room's expiry once on this instance", async () => {
    const value = async () => (await metrics.roomsExpired.get()).values[0]?.value ?? 0;
    const before = await value();
    countExpiry("room-a");
    countExpiry("room-a");
    countExpiry("room-b");
    expect(await value()).toBe(before + 2);
  });
});
