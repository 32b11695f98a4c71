import type { RoomKind } from "~/shared/room-kinds";

/**
 * Why this browser leaves a room page. `destroyed`, `lost` (the server lost the room, nobody
 * ended it) and `expired` come from the stream (or the deadline), `gone` from a stream that
 * cannot resume, `left` and `ended` from the person's own Leave room (private) or End chat
 * (stranger).
 */
export type RoomEnding = "destroyed" | "lost" | "expired" | "left" | "gone" | "ended";

const PRIVATE_ROOM: Record<RoomEnding, string> = {
  destroyed: "/?destroyed=true",
  lost: "/?error=room-lost",
  expired: "/?expired=true",
  left: "/?left=true",
  gone: "/?error=room-not-found",
  ended: "/?destroyed=true",
};

// A stranger chat is only ever destroyed under this browser by the other person (our own Skip or
// End chat goes where its response says), so from the stream it reads "Stranger left".
const STRANGER_CHAT: Record<RoomEnding, string> = {
  destroyed: "/stranger?after=left",
  lost: "/stranger?after=lost",
  expired: "/stranger?after=expired",
  left: "/stranger?after=ended",
  gone: "/stranger?after=gone",
  ended: "/stranger?after=ended",
};

/** Where the page goes when the room ends: the lobby's notice, or the stranger page's. */
export function endingPath(kind: RoomKind, ending: RoomEnding): string {
  return (kind === "match" ? STRANGER_CHAT : PRIVATE_ROOM)[ending];
}
