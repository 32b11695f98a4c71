import { utf8 } from "./bytes";
import { DecryptError, open, seal } from "./seal";

export type ImageType = "image/webp" | "image/jpeg" | "image/png";

export interface MessageImage {
  id: string;
  width: number;
  height: number;
  bytes: number;
  type: ImageType;
}

/** What travels encrypted inside a message. The server never sees any of it. */
export type MessagePayload =
  { kind: "text"; name: string; text: string } | { kind: "image"; name: string; image: MessageImage };

/**
 * The same ids the server accepts for an image upload. The reader puts the id into a URL path,
 * so a partner must not be able to smuggle in `../` or a query.
 */
const IMAGE_ID_PATTERN = /^[\w-]{8,36}$/;

/** On the wire an image type is only its subtype ("webp"): every stored byte counts. */
const IMAGE_TYPES_BY_SUBTYPE = new Map<string, ImageType>([
  ["webp", "image/webp"],
  ["jpeg", "image/jpeg"],
  ["png", "image/png"],
]);

/** Compact JSON: `{"n":name,"t":text}` or `{"n":name,"i":{"id","w","h","b","m"}}`. */
type WirePayload =
  { n: string; t: string } | { n: string; i: { id: string; w: number; h: number; b: number; m: string } };

export async function sealMessage(
  key: CryptoKey,
  roomId: string,
  clientId: string,
  payload: MessagePayload,
): Promise<string> {
  const wire = toWire(payload);
  // Refused here rather than by the partner's browser, where it would only show as unreadable.
  if (!fromWire(wire)) throw new TypeError("Not a message payload that the partner could open");
  return seal(key, { roomId, purpose: "message", slot: clientId }, utf8.encode(JSON.stringify(wire)));
}

export async function openMessage(
  key: CryptoKey,
  roomId: string,
  clientId: string,
  sealed: string,
): Promise<MessagePayload> {
  const plaintext = await open(key, { roomId, purpose: "message", slot: clientId }, sealed);
  let wire: unknown;
  try {
    wire = JSON.parse(utf8.decode(plaintext));
  } catch (cause) {
    throw new DecryptError("The message is not JSON", { cause });
  }
  const payload = fromWire(wire);
  if (!payload) throw new DecryptError("The message is not a message payload");
  return payload;
}

/** The typist's name for the typing indicator; any name sealed in this room is as good as another. */
export async function sealName(key: CryptoKey, roomId: string, name: string): Promise<string> {
  return seal(key, { roomId, purpose: "typing", slot: "name" }, utf8.encode(name));
}

export async function openName(key: CryptoKey, roomId: string, sealed: string): Promise<string> {
  const plaintext = await open(key, { roomId, purpose: "typing", slot: "name" }, sealed);
  try {
    return utf8.decode(plaintext);
  } catch (cause) {
    throw new DecryptError("The name is not UTF-8", { cause });
  }
}

/**
 * The name a member of a private room goes by (`room.setName`), announced on arrival and on each
 * rename. Bound to its own purpose: neither a typing name nor a message can be passed off as one.
 */
export async function sealMemberName(key: CryptoKey, roomId: string, name: string): Promise<string> {
  return seal(key, { roomId, purpose: "member", slot: "name" }, utf8.encode(name));
}

export async function openMemberName(key: CryptoKey, roomId: string, sealed: string): Promise<string> {
  const plaintext = await open(key, { roomId, purpose: "member", slot: "name" }, sealed);
  try {
    return utf8.decode(plaintext);
  } catch (cause) {
    throw new DecryptError("The name is not UTF-8", { cause });
  }
}

function toWire(payload: MessagePayload): WirePayload {
  if (payload.kind === "text") return { n: payload.name, t: payload.text };
  const { id, width, height, bytes, type } = payload.image;
  return { n: payload.name, i: { id, w: width, h: height, b: bytes, m: type.replace(/^image\//, "") } };
}

/** The payload, or null for anything a well-behaved sender would not have sealed. */
function fromWire(wire: unknown): MessagePayload | null {
  if (!isRecord(wire) || typeof wire.n !== "string") return null;
  const hasText = "t" in wire;
  const hasImage = "i" in wire;
  if (hasText === hasImage) return null;
  if (hasText) return typeof wire.t === "string" ? { kind: "text", name: wire.n, text: wire.t } : null;
  const image = wire.i;
  if (!isRecord(image)) return null;
  const { id, w, h, b, m } = image;
  if (typeof id !== "string" || !IMAGE_ID_PATTERN.test(id)) return null;
  if (!isPositiveInteger(w) || !isPositiveInteger(h) || !isPositiveInteger(b)) return null;
  const type = typeof m === "string" ? IMAGE_TYPES_BY_SUBTYPE.get(m) : undefined;
  if (!type) return null;
  return { kind: "image", name: wire.n, image: { id, width: w, height: h, bytes: b, type } };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value > 0;
}
