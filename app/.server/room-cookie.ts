import { createHmac } from "node:crypto";
import { createCookie } from "@remix-run/node";
import { GenerationCache } from "./generation-cache";
import { isRoomToken, memberIdOf } from "./room-token";
import { secureCookies } from "./session-cookie";

const VISITOR_COOKIE = "eph_v";
/** Verified cookies remembered per process: enough for every open stream's sender, bounded. */
const VERIFIED_CACHE_SIZE = 20_000;
/**
 * How long a verified cookie is remembered. The cookie holds the room's member token, so this is
 * also the longest a token can stay in this process's memory after its room has ended; an active
 * sender's cookie is verified again once a minute, which costs nothing measurable.
 */
const VERIFIED_TTL_MS = 60_000;

export interface RoomCookiesOptions {
  /** Tests shorten it; see VERIFIED_TTL_MS. */
  verifiedTtlMs?: number;
}

/** The raw (still signed and encoded) value of cookie `name` in a Cookie header, if present. */
function rawCookie(cookieHeader: string, name: string): string | undefined {
  const prefix = `${name}=`;
  for (const part of cookieHeader.split(";")) {
    const trimmed = part.trim();
    if (trimmed.startsWith(prefix)) return trimmed;
  }
  return undefined;
}

/** A room cookie's token, and whether its signature covers its name (decision 003). */
export interface RoomCookie {
  token: string;
  /**
   * False for a cookie signed before names were signed: it may have been renamed from another
   * room's (or from the visitor cookie), so only the store can say whether it holds a seat here.
   */
  bound: boolean;
}

/** A verified cookie's token, and its member id once a room cookie's has been asked for. */
interface Verified {
  token: string;
  memberId?: string;
}

/**
 * One signed, HttpOnly cookie per room (`eph_<roomId>`), holding that room's member token and
 * expiring with the room. SameSite=Lax so a member who opens the shared link from another site is
 * still recognised on that top-level navigation. Each cookie is signed with a key derived from the
 * secret and its name: a signature checks the value alone, so with one key for every name, room
 * A's cookie (or the visitor cookie) renamed `eph_<B>` passed as B's returning member and skipped
 * the limit on new seats.
 */
export class RoomCookies {
  constructor(
    private readonly secret: string,
    private readonly production: boolean,
    { verifiedTtlMs = VERIFIED_TTL_MS }: RoomCookiesOptions = {},
  ) {
    this.verified = new GenerationCache(VERIFIED_CACHE_SIZE, verifiedTtlMs);
  }

  private cookie(roomId: string) {
    return this.named(`eph_${roomId}`);
  }

  private named(
    name: string,
    secret = createHmac("sha256", this.secret).update(`cookie-name:${name}`).digest("base64url"),
  ) {
    return createCookie(name, {
      secrets: [secret],
      httpOnly: true,
      sameSite: "lax",
      path: "/",
    });
  }

  /**
   * Signed values already verified, by their exact `name=value` text. Every send and receipt
   * carries the same cookie; checking its HMAC each time was about 5 % of the server's CPU at
   * 2,000 sends a second. Only values that passed verification are kept, keyed by their whole
   * signed text, so a changed value is never found here and is verified from scratch. Each is
   * dropped a minute after it was verified, used or not, so no room's token outlives its room
   * here by more than that (`GenerationCache`: no clock read per request, no timer per entry).
   */
  private readonly verified: GenerationCache<Verified>;

  /**
   * The member id the room cookie's token hashes to (`memberIdOf`), for requests whose store step
   * checks membership anyway. Kept with the verified cookie once asked for: hashing it on every
   * send was about 1 % of the server's CPU per message.
   */
  async readMemberId(cookieHeader: string | null, roomId: string): Promise<string | null> {
    const raw = cookieHeader ? rawCookie(cookieHeader, `eph_${roomId}`) : undefined;
    const known = raw === undefined ? undefined : this.verified.get(raw);
    // The cached text names its room (`eph_<roomId>=…`): its member id is this room's.
    if (known) return (known.memberId ??= memberIdOf(roomId, known.token));
    const cookie = await this.readRoom(cookieHeader, roomId);
    return cookie && memberIdOf(roomId, cookie.token);
  }

  readRoom(cookieHeader: string | null, roomId: string): Promise<RoomCookie | null> {
    return this.readCached(cookieHeader, `eph_${roomId}`);
  }

  private async readCached(cookieHeader: string | null, name: string): Promise<RoomCookie | null> {
    if (!cookieHeader) return null;
    const raw = rawCookie(cookieHeader, name);
    if (raw === undefined) return null;
    const known = this.verified.get(raw);
    if (known !== undefined) return { token: known.token, bound: true };
    const value: unknown = await this.named(name).parse(raw);
    if (isRoomToken(value)) {
      this.verified.set(raw, { token: value });
      return { token: value, bound: true };
    }
    // Signed with the secret itself, as every cookie was before: the rooms open at the deploy
    // live a day at most, and so does a visitor cookie. Never remembered, always re-checked.
    const legacy: unknown = await this.named(name, this.secret).parse(raw);
    return isRoomToken(legacy) ? { token: legacy, bound: false } : null;
  }

  /**
   * `Secure` in production, except on a loopback host: browsers treat http://localhost as
   * trustworthy but not every one accepts Secure cookies there, and `npm start` must just work.
   */
  serialize(roomId: string, token: string, expiresAt: Date, requestUrl: URL): Promise<string> {
    return this.cookie(roomId).serialize(token, { secure: this.secure(requestUrl), expires: expiresAt });
  }

  /**
   * The visitor token of "Talk to a stranger" (`eph_v`): who is queued, who is in which chat. An
   * unbound one is taken as it is: a visitor id is anyone's for the asking (the /stranger page
   * hands them out), so renaming a cookie to `eph_v` wins nothing.
   */
  async readVisitor(cookieHeader: string | null): Promise<string | null> {
    return (await this.readCached(cookieHeader, VISITOR_COOKIE))?.token ?? null;
  }

  /** A day long: long enough for a report's block to hold, short enough to be forgotten. */
  serializeVisitor(token: string, requestUrl: URL): Promise<string> {
    return this.named(VISITOR_COOKIE).serialize(token, { secure: this.secure(requestUrl), maxAge: 86_400 });
  }

  private secure(requestUrl: URL): boolean {
    return secureCookies(this.production, requestUrl.hostname);
  }
}
