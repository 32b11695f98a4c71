/**
 * What may be logged of a URL or an error. Room ids are the secret of a private room (anyone who
 * has one can take a free seat), member ids and tokens are credentials' hashes, image ids name a
 * room's images: none may reach a log whole. No dependencies: the production server's own bundle
 * (server/request-log.ts) and the app's logger both use it.
 */

const ROOM_ID = /[0-9A-Za-z]{21}/g;
/** Image ids are the sender's choice (8-36 characters), so in a URL the whole segment goes. */
const IMAGE_SEGMENT = /(\/images\/)[^/?#\s"'`]+/g;
/** Room ids, member ids, tokens and nanoid-made ids in free text: every run of 21 or more. */
const LONG_ID = /[\w-]{21,}/g;
/** `%41` is `A`: an encoded room id is still a room id. */
const ENCODED_ALPHANUMERIC = /%(3[0-9]|4[1-9A-F]|5[0-9A]|6[1-9A-F]|7[0-9A])/gi;

const cut = (id: string) => `${id.slice(0, 4)}…`;
const decodeAlphanumerics = (text: string) =>
  text.replace(ENCODED_ALPHANUMERIC, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));

/**
 * The path with every room id cut to a 4-character prefix, image ids dropped, and no query string
 * (tRPC GET inputs carry room ids).
 */
export function redactPath(url: string): string {
  const path = url.split("?")[0] ?? "";
  return decodeAlphanumerics(path).replace(ROOM_ID, cut).replace(IMAGE_SEGMENT, "$1…");
}

/** Free text such as an error's message, which may quote a URL, a Redis key or an id. */
export function redactText(text: string): string {
  return decodeAlphanumerics(text).replace(IMAGE_SEGMENT, "$1…").replace(LONG_ID, cut);
}

export interface LoggedError {
  type?: string;
  message: string;
  code?: string;
  status?: number;
  stack?: string;
  cause?: LoggedError;
}

/**
 * The logger's `err` serializer. pino's own copies every enumerable property of an error, and
 * ioredis puts the failed command's every argument on its errors (room keys, member ids, image
 * ids, a sealed image's bytes): only the type, the redacted message, a short code and the stack's
 * frames (code locations, never data) are kept, for the error and its causes.
 */
export function serializeError(value: unknown, depth = 0): LoggedError {
  if (!(value instanceof Error)) {
    const message =
      typeof value === "object" && value !== null && "message" in value
        ? (value as { message: unknown }).message
        : value;
    return { message: redactText(String(message)) };
  }
  const logged: LoggedError = { type: value.name, message: redactText(value.message) };
  const { code, status } = value as { code?: unknown; status?: unknown };
  if (typeof code === "string" && /^[\w.-]{1,40}$/.test(code)) logged.code = code;
  if (typeof status === "number") logged.status = status;
  const frames = (value.stack ?? "").split("\n").filter((line) => /^\s+at /.test(line));
  if (frames.length > 0) logged.stack = frames.map((line) => line.trim()).join("\n");
  if (value.cause !== undefined && depth < 3) logged.cause = serializeError(value.cause, depth + 1);
  return logged;
}
