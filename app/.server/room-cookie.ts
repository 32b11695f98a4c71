import { createCookie } from "@remix-run/node";
import { isRoomToken } from "./room-token";

const VISITOR_COOKIE = "eph_v";
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

/**
 * One signed, HttpOnly cookie per room (`eph_<roomId>`), holding that room's member token and
 * expiring with the room. SameSite=Lax so a member who opens the shared link from another site is
 * still recognised on that top-level navigation.
 */
export class RoomCookies {
  constructor(
    private readonly secret: string,
    private readonly production: boolean,
  ) {}

  private cookie(roomId: string) {
    return this.named(`eph_${roomId}`);
  }

  private named(name: string) {
    return createCookie(name, {
      secrets: [this.secret],
      httpOnly: true,
      sameSite: "lax",
      path: "/",
    });
  }

  async read(cookieHeader: string | null, roomId: string): Promise<string | null> {
    if (!cookieHeader) return null;
    const value: unknown = await this.cookie(roomId).parse(cookieHeader);
    return isRoomToken(value) ? value : null;
  }

  /**
   * `Secure` in production, except on a loopback host: browsers treat http://localhost as
   * trustworthy but not every one accepts Secure cookies there, and `npm start` must just work.
   */
  serialize(roomId: string, token: string, expiresAt: Date, requestUrl: URL): Promise<string> {
    return this.cookie(roomId).serialize(token, { secure: this.secure(requestUrl), expires: expiresAt });
  }

  /** The visitor token of "Talk to a stranger" (`eph_v`): who is queued, who is in which chat. */
  async readVisitor(cookieHeader: string | null): Promise<string | null> {
    if (!cookieHeader) return null;
    const value: unknown = await this.named(VISITOR_COOKIE).parse(cookieHeader);
    return isRoomToken(value) ? value : null;
  }

  /** A day long: long enough for a report's block to hold, short enough to be forgotten. */
  serializeVisitor(token: string, requestUrl: URL): Promise<string> {
    return this.named(VISITOR_COOKIE).serialize(token, { secure: this.secure(requestUrl), maxAge: 86_400 });
  }

  private secure(requestUrl: URL): boolean {
    return this.production && !LOOPBACK_HOSTS.has(requestUrl.hostname);
  }
}
