import { pino } from "pino";
import { env } from "./env";
import { serializeError } from "./redact";

/**
 * The one logger. Privacy rule: never pass message text, display names, tokens or full room ids;
 * use `roomTag()` for rooms. Errors go under `err`, whose serializer keeps only what is safe.
 */
export const logger = pino({
  level: env.NODE_ENV === "test" ? "silent" : env.LOG_LEVEL,
  base: { service: "ephemera" },
  serializers: { err: serializeError },
});

/** A short, non-identifying prefix of a room id, enough to follow one room through the logs. */
export function roomTag(roomId: string): string {
  return roomId.slice(0, 4);
}
