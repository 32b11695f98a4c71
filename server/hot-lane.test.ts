import { describe, expect, it } from "vitest";
import { trpcPath } from "./hot-lane";

describe("trpcPath", () => {
  it("gives the procedure path of a tRPC URL, without its query and undecoded", () => {
    expect(trpcPath("/api/trpc/room.create")).toBe("room.create");
    expect(trpcPath("/api/trpc/message.send,room.typing?batch=1")).toBe("message.send,room.typing");
    expect(trpcPath("/api/trpc/room.%E0%A4%A?batch=1")).toBe("room.%E0%A4%A");
  });

  it("gives the endpoint itself an empty path, as Express's mount at /api/trpc does", () => {
    expect(trpcPath("/api/trpc")).toBe("");
    expect(trpcPath("/api/trpc?input=1")).toBe("");
    expect(trpcPath("/api/trpc/")).toBe("");
  });

  it("leaves every other URL alone", () => {
    for (const url of ["/", "/api/trpcx/room.create", "/api/rooms/abc/images/def", "/room/abc", "/api/trp"]) {
      expect(trpcPath(url), url).toBeNull();
    }
  });
});
