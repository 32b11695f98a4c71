import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { memberIdOf, newRoomToken, visitorIdOf } from "./room-token";

/** How the ids were made before one-shot hashing: stored ids must keep matching. */
const streamed = (...parts: string[]) =>
  parts
    .reduce((hasher, part) => hasher.update(part), createHash("sha256"))
    .digest("base64url")
    .slice(0, 22);

describe("stored ids", () => {
  it("gives a member the id Redis already holds for them", () => {
    expect(memberIdOf("0123456789ABCDEFGHIJK", "abcdefghijklmnopqrstuv")).toBe("6NB2vM_TPEq1gqa6b4Q8O_");
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9A-Za-z]{21}$/), fc.stringMatching(/^[\w-]{22}$/), (roomId, token) => {
        expect(memberIdOf(roomId, token)).toBe(streamed(roomId, ":", token));
      }),
      { numRuns: 200 },
    );
  });

  it("gives a visitor the id the match queue already holds for them", () => {
    expect(visitorIdOf("abcdefghijklmnopqrstuv")).toBe("R-9Tll0ri0UuAcJdnuiQ-c");
    const token = newRoomToken();
    expect(visitorIdOf(token)).toBe(streamed("visitor:", token));
  });
});
