import { describe, expect, it } from "vitest";
import { endingPath } from "./room-ending";

describe("where a room page goes when the room ends", () => {
  it("sends a private room's people to the lobby's notices", () => {
    expect(endingPath("private", "destroyed")).toBe("/?destroyed=true");
    expect(endingPath("private", "expired")).toBe("/?expired=true");
    expect(endingPath("private", "left")).toBe("/?left=true");
    expect(endingPath("private", "gone")).toBe("/?error=room-not-found");
    expect(endingPath("private", "lost")).toBe("/?error=room-lost");
  });

  it("keeps a stranger on the stranger page, where a destroyed chat reads as the stranger leaving", () => {
    expect(endingPath("match", "destroyed")).toBe("/stranger?after=left");
    expect(endingPath("match", "ended")).toBe("/stranger?after=ended");
    expect(endingPath("match", "expired")).toBe("/stranger?after=expired");
    expect(endingPath("match", "gone")).toBe("/stranger?after=gone");
    expect(endingPath("match", "lost")).toBe("/stranger?after=lost");
  });
});
