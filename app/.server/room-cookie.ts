import { createCookie } from "@remix-run/node";
import { isRoomToken } from "./room-token";

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
    return createCookie(`eph_${roomId}`, {
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
    const secure = this.production && !LOOPBACK_HOSTS.has(requestUrl.hostname);
    return this.cookie(roomId).serialize(token, { secure, expires: expiresAt });
  }
}
