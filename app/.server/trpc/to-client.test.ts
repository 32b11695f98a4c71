import { afterEach, describe, expect, it, vi } from "vitest";
import { toRoomEvent, toSealedMessage, toSentMessage } from "./to-client";

describe("what the browser is handed", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("gives a direct chat's message the time it has left as of this copy, never below zero", () => {
    vi.useFakeTimers({ now: 10_000 });
    const message = { id: 4, author: 1, ciphertext: "AA", clientId: "c-1", timestamp: 9_000 };
    expect(toSealedMessage({ ...message, expiresAt: 70_000 }, 1)).toEqual({
      id: 4,
      ciphertext: "AA",
      clientId: "c-1",
      timestamp: 9_000,
      mine: true,
      expiresInMs: 60_000,
    });
    expect(toSealedMessage({ ...message, expiresAt: 9_999 }, 2)).toMatchObject({ mine: false, expiresInMs: 0 });
    // A room's message has no expiry of its own.
    expect(toSealedMessage(message, 1)).not.toHaveProperty("expiresInMs");
  });

  it("hands notices over in seconds, and passes `cleared` on", () => {
    vi.useFakeTimers({ now: 0 });
    const notice = { id: 5, author: 2, ciphertext: "", timestamp: 0, expiresAt: 1_000 };
    expect(toSealedMessage({ ...notice, notice: { kind: "timer", timerMs: 300_000 } }, 1)).toMatchObject({
      clientId: "",
      mine: false,
      notice: { kind: "timer", timerSeconds: 300 },
    });
    expect(toSealedMessage({ ...notice, notice: { kind: "cleared" } }, 2)).toMatchObject({
      mine: true,
      notice: { kind: "cleared" },
    });
    expect(toRoomEvent({ id: 4, type: "cleared", upTo: 4 }, 1)).toEqual({ type: "cleared", upTo: 4 });
  });

  it("answers a send with the id, time and time left, never the sealed text", () => {
    vi.useFakeTimers({ now: 10_000 });
    const message = { id: 4, author: 1, ciphertext: "A".repeat(16_384), clientId: "c-1", timestamp: 9_000 };
    expect(toSentMessage(message)).toEqual({ id: 4, clientId: "c-1", timestamp: 9_000, status: "sent" });
    expect(toSentMessage({ ...message, expiresAt: 70_000 })).toEqual({
      id: 4,
      clientId: "c-1",
      timestamp: 9_000,
      status: "sent",
      expiresInMs: 60_000,
    });
  });
});
