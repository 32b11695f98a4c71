import { describe, expect, it } from "vitest";
import { clientAddress } from "./client-address";

const headers = new Headers({ "x-forwarded-for": "198.51.100.9, 10.0.0.2, 10.0.0.3", "fly-client-ip": "203.0.113.5" });

describe("clientAddress", () => {
  it("believes no header when no proxy is trusted", () => {
    expect(clientAddress(headers, "192.0.2.1", "off")).toBe("192.0.2.1");
  });

  it("reads Fly-Client-IP behind Fly, falling back to the peer", () => {
    expect(clientAddress(headers, "192.0.2.1", "fly")).toBe("203.0.113.5");
    expect(clientAddress(new Headers(), "192.0.2.1", "fly")).toBe("192.0.2.1");
  });

  it("counts trusted hops from the right of X-Forwarded-For, so a forged left part is ignored", () => {
    expect(clientAddress(headers, "192.0.2.1", 1)).toBe("10.0.0.3");
    expect(clientAddress(headers, "192.0.2.1", 2)).toBe("10.0.0.2");
    expect(clientAddress(headers, "192.0.2.1", 3)).toBe("198.51.100.9");
    expect(clientAddress(headers, "192.0.2.1", 9)).toBe("198.51.100.9");
    expect(clientAddress(new Headers(), "192.0.2.1", 1)).toBe("192.0.2.1");
  });
});
