import { ReplyError } from "ioredis";
import { describe, expect, it } from "vitest";
import { redactPath, serializeError } from "./redact";
import { newRoomId } from "./room-token";

describe("redaction", () => {
  it("cuts room ids in a path even when percent-encoded, and drops image ids and the query", () => {
    const roomId = newRoomId();
    const encoded = [...roomId].map((char) => `%${char.charCodeAt(0).toString(16)}`).join("");
    expect(redactPath(`/room/${encoded}`)).toBe(`/room/${roomId.slice(0, 4)}…`);
    expect(redactPath(`/api/rooms/${roomId}/images/V1StGXR8_Z5jdHi6B-myT?x=1`)).toBe(
      `/api/rooms/${roomId.slice(0, 4)}…/images/…`,
    );
    expect(redactPath(`/api/trpc/message.list?input=${roomId}`)).toBe("/api/trpc/message.list");
  });

  it("keeps an error's type, redacted message, code and frames, never the properties ioredis adds", () => {
    const roomId = newRoomId();
    const error = Object.assign(new ReplyError(`ERR in room:{${roomId}}:meta`), {
      command: { name: "evalsha", args: [`room:{${roomId}}:meta`, "member-id-member-id-12", Buffer.from("sealed")] },
      code: "ERR_X",
    });
    const logged = serializeError(new Error("store failed", { cause: error }));
    expect(logged.cause).toMatchObject({
      type: "ReplyError",
      message: `ERR in room:{${roomId.slice(0, 4)}…}:meta`,
      code: "ERR_X",
    });
    expect(JSON.stringify(logged)).not.toMatch(/member-id|sealed|command|args/);
    expect(logged.stack).toMatch(/^at /);
    expect(serializeError({ message: `no room ${roomId}` })).toEqual({ message: `no room ${roomId.slice(0, 4)}…` });
  });
});
