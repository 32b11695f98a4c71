import { isbot } from "isbot";
import { clientAddress } from "./client-address";
import { RateLimitedError } from "./rate-limits";
import type { Services } from "./services";
import { memberIdOf, newRoomToken, ROOM_ID_PATTERN, visitorIdOf } from "./room-token";
import type { RoomKind } from "~/shared/room-kinds";
import { claimFor } from "./rooms/types";

export type GateResult =
  | { kind: "preview" }
  | { kind: "rate-limited"; message: string; retryAfterSeconds: number }
  | { kind: "redirect"; location: string }
  /**
   * `joined`: this visit took the seat (rather than coming back to it). `keyCheck`: the creator's
   * check of the room key, for the browser to compare with the key in its link (null: none).
   */
  | {
      kind: "member";
      seat: number;
      ttlMs: number;
      roomKind: RoomKind;
      joined: boolean;
      keyCheck: string | null;
      setCookie?: string;
    };

export const LOBBY_ROOM_NOT_FOUND = "/?error=room-not-found";
export const LOBBY_ROOM_FULL = "/?error=room-full";

/**
 * Link unfurlers (Slack, Telegram, iMessage…) and speculative prefetches must never take one of
 * the two seats: the person the link was meant for would find the room full. Nor may a HEAD,
 * whatever its user agent says: scanners and link checkers send them, browsers never navigate
 * with one.
 */
export function isPreviewRequest(request: Request): boolean {
  if (request.method === "HEAD") return true;
  const headers = request.headers;
  const purpose = `${headers.get("sec-purpose") ?? ""} ${headers.get("purpose") ?? ""} ${headers.get("x-moz") ?? ""} ${headers.get("x-purpose") ?? ""}`;
  if (/prefetch|prerender|preview/i.test(purpose)) return true;
  return isbot(headers.get("user-agent"));
}

/**
 * The room's door. A returning member is recognised by the room's cookie; anyone else takes a
 * free seat with a new token in one atomic store step, so simultaneous visitors cannot overfill.
 */
export async function enterRoom(
  request: Request,
  roomId: string,
  services: Services,
  peerAddress?: string,
): Promise<GateResult> {
  if (!ROOM_ID_PATTERN.test(roomId)) return { kind: "redirect", location: LOBBY_ROOM_NOT_FOUND };
  if (isPreviewRequest(request)) return { kind: "preview" };

  const cookie = await services.cookies.readRoom(request.headers.get("cookie"), roomId);
  const existing = cookie && (cookie.bound || (await holdsSeat(services, roomId, cookie.token))) ? cookie.token : null;
  if (!existing) {
    // Only attempts at a new seat count: a member coming back is never limited.
    try {
      await services.limits.consume("joinRoom", clientAddress(request.headers, peerAddress, services.trustProxy));
    } catch (error) {
      if (!(error instanceof RateLimitedError)) throw error;
      return { kind: "rate-limited", message: error.message, retryAfterSeconds: error.retryAfterSeconds };
    }
  }
  const token = existing ?? newRoomToken();
  // A stranger arriving in the room they were matched into claims the seat held for them.
  const visitor = existing ? null : await services.cookies.readVisitor(request.headers.get("cookie"));
  const claim = visitor ? claimFor(visitorIdOf(visitor)) : undefined;
  const outcome = await services.store.join(roomId, memberIdOf(roomId, token), claim);

  switch (outcome.status) {
    case "not-found":
      return { kind: "redirect", location: LOBBY_ROOM_NOT_FOUND };
    case "full":
      return { kind: "redirect", location: LOBBY_ROOM_FULL };
    case "member":
    case "joined": {
      const result: GateResult = {
        kind: "member",
        seat: outcome.seat,
        ttlMs: outcome.ttlMs,
        roomKind: outcome.kind,
        joined: outcome.status === "joined",
        keyCheck: outcome.keyCheck,
      };
      // An unbound cookie that holds its seat is swapped for a bound one.
      if (!existing || outcome.status === "joined" || !cookie?.bound) {
        const expiresAt = new Date(Date.now() + outcome.ttlMs);
        result.setCookie = await services.cookies.serialize(roomId, token, expiresAt, new URL(request.url));
      }
      return result;
    }
  }
}

/**
 * Whether a cookie signed before cookie names were signed (decision 003) holds a seat in this
 * room: it could be another room's renamed, which must count as no cookie at all.
 */
async function holdsSeat(services: Services, roomId: string, token: string): Promise<boolean> {
  return (await services.store.memberStatus(roomId, memberIdOf(roomId, token))).status === "member";
}
