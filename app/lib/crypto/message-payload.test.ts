import { describe, expect, it } from "vitest";
import {
  type MessagePayload,
  openMessage,
  openName,
  openMemberName,
  sealMemberName,
  sealMessage,
  sealName,
} from "./message-payload";
import { generateRoomKey } from "./room-key";
import { DecryptError, seal } from "./seal";

const ROOM = "room1234567890abcdefg";
const CLIENT_ID = "V1StGXR8_Z5jdHi6B-myT";
const messageBinding = { roomId: ROOM, purpose: "message", slot: CLIENT_ID } as const;

const image: MessagePayload = {
  kind: "image",
  name: "Ada",
  image: { id: "img_0123456789", width: 1280, height: 853, bytes: 184_233, type: "image/webp" },
};

describe("message payloads", () => {
  it.each<[string, MessagePayload]>([
    ["plain text", { kind: "text", name: "Ada", text: "hello there" }],
    ["unicode, quotes and newlines", { kind: "text", name: "Zoë 🦊", text: 'Grüße, 你好 👋🏽\n"quoted" \\ \u2028 end' }],
    ["an empty text", { kind: "text", name: "", text: "" }],
    ["an image", image],
    ["a PNG", { ...image, image: { ...image.image, type: "image/png" } }],
    ["a JPEG", { ...image, image: { ...image.image, type: "image/jpeg" } }],
  ])("round-trips %s", async (_, payload) => {
    const { key } = await generateRoomKey();
    const sealed = await sealMessage(key, ROOM, CLIENT_ID, payload);
    expect(await openMessage(key, ROOM, CLIENT_ID, sealed)).toEqual(payload);
  });

  it("keeps a 100-character text from a 20-character name within 230 characters", async () => {
    const { key } = await generateRoomKey();
    const payload: MessagePayload = { kind: "text", name: "n".repeat(20), text: "t".repeat(100) };
    const sealed = await sealMessage(key, ROOM, CLIENT_ID, payload);
    expect(sealed.length).toBeLessThanOrEqual(230);
  });

  it("is bound to the message's clientId and room", async () => {
    const { key } = await generateRoomKey();
    const sealed = await sealMessage(key, ROOM, CLIENT_ID, { kind: "text", name: "Ada", text: "hi" });
    await expect(openMessage(key, ROOM, "another-client-id", sealed)).rejects.toBeInstanceOf(DecryptError);
    await expect(openMessage(key, "other1234567890abcdef", CLIENT_ID, sealed)).rejects.toBeInstanceOf(DecryptError);
  });

  it.each([
    ["a number", "1"],
    ["null", "null"],
    ["an array", '[{"n":"a","t":"b"}]'],
    ["no name", '{"t":"hi"}'],
    ["a numeric name", '{"n":1,"t":"hi"}'],
    ["neither text nor image", '{"n":"a"}'],
    ["both text and image", '{"n":"a","t":"hi","i":{"id":"img_0123456789","w":1,"h":1,"b":1,"m":"webp"}}'],
    ["a numeric text", '{"n":"a","t":5}'],
    ["an image without an id", '{"n":"a","i":{"w":1,"h":1,"b":1,"m":"webp"}}'],
    ["an image id that escapes its URL", '{"n":"a","i":{"id":"../../../x?y","w":1,"h":1,"b":1,"m":"webp"}}'],
    ["a fractional width", '{"n":"a","i":{"id":"img_0123456789","w":1.5,"h":1,"b":1,"m":"webp"}}'],
    ["a zero height", '{"n":"a","i":{"id":"img_0123456789","w":1,"h":0,"b":1,"m":"webp"}}'],
    ["a size as a string", '{"n":"a","i":{"id":"img_0123456789","w":1,"h":1,"b":"1","m":"webp"}}'],
    ["an unknown image type", '{"n":"a","i":{"id":"img_0123456789","w":1,"h":1,"b":1,"m":"gif"}}'],
    ["a prototype key as image type", '{"n":"a","i":{"id":"img_0123456789","w":1,"h":1,"b":1,"m":"constructor"}}'],
    ["not JSON at all", "hello"],
  ])("refuses a sealed plaintext that is %s", async (_, json) => {
    const { key } = await generateRoomKey();
    const sealed = await seal(key, messageBinding, new TextEncoder().encode(json));
    await expect(openMessage(key, ROOM, CLIENT_ID, sealed)).rejects.toBeInstanceOf(DecryptError);
  });

  it("refuses a sealed plaintext that is not UTF-8", async () => {
    const { key } = await generateRoomKey();
    const sealed = await seal(key, messageBinding, Uint8Array.of(0x7b, 0xff, 0x7d));
    await expect(openMessage(key, ROOM, CLIENT_ID, sealed)).rejects.toBeInstanceOf(DecryptError);
  });

  it("refuses to seal a payload the partner could not open", async () => {
    const { key } = await generateRoomKey();
    const badId: MessagePayload = { ...image, image: { ...image.image, id: "a/b" } };
    await expect(sealMessage(key, ROOM, CLIENT_ID, badId)).rejects.toThrow(TypeError);
  });

  it("stores the image type as its subtype only", async () => {
    const { key } = await generateRoomKey();
    const text = await sealMessage(key, ROOM, CLIENT_ID, { kind: "text", name: "Ada", text: "x".repeat(30) });
    const picture = await sealMessage(key, ROOM, CLIENT_ID, image);
    const compact = '{"n":"Ada","i":{"id":"img_0123456789","w":1280,"h":853,"b":184233,"m":"webp"}}';
    expect(Buffer.from(picture, "base64url").length).toBe(compact.length + 28);
    expect(Buffer.from(text, "base64url").length).toBe('{"n":"Ada","t":""}'.length + 30 + 28);
  });
});

describe("sealed names for the typing indicator", () => {
  it("round-trips a name", async () => {
    const { key } = await generateRoomKey();
    expect(await openName(key, ROOM, await sealName(key, ROOM, "Zoë 🦊"))).toBe("Zoë 🦊");
  });

  it("will not open a name in another room, or a message as a name", async () => {
    const { key } = await generateRoomKey();
    await expect(openName(key, "other1234567890abcdef", await sealName(key, ROOM, "Ada"))).rejects.toBeInstanceOf(
      DecryptError,
    );
    const message = await seal(
      key,
      { roomId: ROOM, purpose: "message", slot: "name" },
      new TextEncoder().encode("Ada"),
    );
    await expect(openName(key, ROOM, message)).rejects.toBeInstanceOf(DecryptError);
  });

  it("refuses a name that is not UTF-8", async () => {
    const { key } = await generateRoomKey();
    const sealed = await seal(key, { roomId: ROOM, purpose: "typing", slot: "name" }, Uint8Array.of(0xc3));
    await expect(openName(key, ROOM, sealed)).rejects.toBeInstanceOf(DecryptError);
  });
});

describe("a member's announced name", () => {
  it("round-trips, and is neither a typing name nor openable in another room", async () => {
    const { key } = await generateRoomKey();
    const sealed = await sealMemberName(key, ROOM, "Zoë 🦊");
    expect(await openMemberName(key, ROOM, sealed)).toBe("Zoë 🦊");
    await expect(openMemberName(key, "other1234567890abcdef", sealed)).rejects.toBeInstanceOf(DecryptError);
    // The server cannot pass one off as the other: each is bound to its purpose.
    await expect(openName(key, ROOM, sealed)).rejects.toBeInstanceOf(DecryptError);
    await expect(openMemberName(key, ROOM, await sealName(key, ROOM, "Ada"))).rejects.toBeInstanceOf(DecryptError);
  });
});
