import type { RoomKind } from "~/shared/room-kinds";
import type { RoomViewState } from "./room-view-state";

/**
 * Whether a private room is waiting for its second person: one seat taken, and either nobody has
 * had it open on the other side (since this page knows) with nothing written, or the partner
 * pressed Leave, which frees the seat for one new person the link lets in. Unknown until the
 * stream gives the seat count, so the person who joins never sees it flash; stranger chats and
 * direct chats have no link to hand out.
 */
export function waitingForPartner(roomKind: RoomKind, state: RoomViewState): boolean {
  if (roomKind !== "private" || state.memberCount === null || state.memberCount >= 2) return false;
  const { partner, conversation } = state;
  if (partner.left) return true;
  if (partner.presence?.here || (partner.presence?.lastSeen ?? null) !== null) return false;
  return conversation.confirmed.length === 0 && conversation.pending.length === 0;
}

/**
 * One SVG path for a QR code's dark modules, one unit square each, offset by the quiet zone so the
 * light border scanners need is part of the picture. Runs of dark modules in a row become one
 * rectangle, which keeps the path short.
 */
export function qrPath(modules: readonly (readonly boolean[])[], quietZone: number): string {
  const parts: string[] = [];
  modules.forEach((row, y) => {
    let x = 0;
    while (x < row.length) {
      if (!row[x]) {
        x += 1;
        continue;
      }
      const start = x;
      while (x < row.length && row[x]) x += 1;
      parts.push(`M${start + quietZone} ${y + quietZone}h${x - start}v1h${start - x}z`);
    }
  });
  return parts.join("");
}
