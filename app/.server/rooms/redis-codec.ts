import { bodyFields, recordFields } from "../redis/framing";
import type { ChatNotice, PublishedEvent, StoredMessage } from "./types";

/**
 * The one codec between Redis and the app. A stored message is one record,
 * `id|author|timestamp|clientId|ciphertext` (written by the send script), because every byte is
 * kept once per message; published events are a one-letter type followed by the body.
 *
 * A direct chat's records lead with their expiry, tagged so they cannot be taken for a room's
 * (whose first field is all digits): `e<expiresAt>|id|author|timestamp|clientId|ciphertext` for a
 * message, `n<expiresAt>|id|author|timestamp||<notice>` for a notice (`t<timerMs>` or `c`), whose
 * ciphertext is empty. The tag is written by the store's scripts, never taken from a sender, so no
 * ciphertext can pass for a notice.
 */
export function decodeStoredMessage(record: string): StoredMessage {
  const tag = record[0];
  if (tag === "{") return decodeLegacyMessage(record);
  if (tag === "e" || tag === "n") return decodeChatMessage(record);
  const fields = recordFields(record, 5, "|");
  if (!fields) throw new Error("malformed stored message");
  const [id, author, timestamp, clientId, ciphertext] = fields;
  const message: StoredMessage = {
    id: Number(id),
    author: Number(author),
    ciphertext: ciphertext!,
    timestamp: Number(timestamp),
  };
  if (clientId) message.clientId = clientId;
  return message;
}

function decodeChatMessage(record: string): StoredMessage {
  const fields = recordFields(record, 6, "|");
  if (!fields) throw new Error("malformed stored message");
  const [expiresAt, id, author, timestamp, clientId, body] = fields;
  const message: StoredMessage = {
    id: Number(id),
    author: Number(author),
    ciphertext: record[0] === "n" ? "" : body!,
    timestamp: Number(timestamp),
  };
  if (clientId) message.clientId = clientId;
  message.expiresAt = Number(expiresAt!.slice(1));
  if (record[0] === "n") message.notice = decodeNotice(body!);
  return message;
}

function decodeNotice(body: string): ChatNotice {
  if (body === "c") return { kind: "cleared" };
  if (/^t\d+$/.test(body)) return { kind: "timer", timerMs: Number(body.slice(1)) };
  throw new Error("malformed notice");
}

/** Messages stored as JSON by an earlier version, still readable after a deploy mid-conversation. */
function decodeLegacyMessage(json: string): StoredMessage {
  const raw = JSON.parse(json) as { id: number; a: number; x?: string; t?: string; ts: number; c?: string };
  const message: StoredMessage = { id: raw.id, author: raw.a, ciphertext: raw.x ?? "", timestamp: raw.ts };
  if (raw.c) message.clientId = raw.c;
  return message;
}

export function decodeEvent(payload: string): PublishedEvent {
  switch (payload[0]) {
    case "m":
      return { type: "message", message: decodeStoredMessage(payload.slice(1)) };
    case "c":
      return { type: "cleared", upTo: Number(payload.slice(1)) };
    case "j":
      return { type: "members", count: Number(payload.slice(1)) };
    case "d":
      return { type: "destroyed", id: Number(payload.slice(1)) };
    case "p": {
      const [seat, here, lastSeen] = fieldsOf(payload, 3);
      return { type: "presence", seat: Number(seat), here: here === "1", lastSeen: Number(lastSeen) || null };
    }
    case "g": {
      const [seat, until] = fieldsOf(payload, 2);
      return { type: "presence-grace", seat: Number(seat), until: Number(until) };
    }
    case "t": {
      const [seat, typing, expiresInMs, name] = fieldsOf(payload, 4);
      return {
        type: "typing",
        seat: Number(seat),
        typing: typing === "1",
        name: name ?? "",
        expiresInMs: Number(expiresInMs),
      };
    }
    case "r": {
      const [seat, delivered, seen] = fieldsOf(payload, 3);
      return { type: "receipts", seat: Number(seat), delivered: Number(delivered), seen: Number(seen) };
    }
    case "l":
      return { type: "left", seat: Number(payload.slice(1)) };
    case "x": {
      const [after, before] = fieldsOf(payload, 2);
      return { type: "lost", after: Number(after), before: Number(before) };
    }
    case "a": {
      const [seat, after] = fieldsOf(payload, 2);
      return { type: "arrived", seat: Number(seat), after: Number(after) };
    }
    case "k": {
      const [seat, publicKeys] = fieldsOf(payload, 2);
      return { type: "keys", seat: Number(seat), publicKeys: publicKeys ?? "" };
    }
    case "n": {
      const [seat, name] = fieldsOf(payload, 2);
      return { type: "name", seat: Number(seat), name: name ?? "" };
    }
    default:
      throw new Error(`unknown room event tag ${JSON.stringify(payload[0])}`);
  }
}

/** The body's `:`-separated fields; the last one keeps any further colons (a name may hold them). */
function fieldsOf(payload: string, count: number): string[] {
  return bodyFields(payload.slice(1), count, ":");
}
