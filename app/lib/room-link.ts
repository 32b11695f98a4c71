/**
 * A room's address. The room key travels in the fragment (after `#`), which browsers never send
 * to a server: not in requests, not in `Referer`.
 */
export function roomPath(roomId: string): string {
  return `/room/${roomId}`;
}

/** The whole link to share: whoever opens it gets a seat and the key. */
export function roomLink(origin: string, roomId: string, secret: string): string {
  return `${origin}${roomPath(roomId)}#${secret}`;
}

/**
 * Changes what the address bar shows without a navigation: the key put in after a stranger chat's
 * agreement (so a reload keeps it), or taken out by Hide link. Remix keeps its own state in the
 * history entry, so that stays as it is. Only while the page still shows this room.
 */
export function showInAddressBar(roomId: string, secret: string | null): void {
  const path = roomPath(roomId);
  if (window.location.pathname !== path) return;
  window.history.replaceState(window.history.state, "", secret ? `${path}#${secret}` : path);
}
