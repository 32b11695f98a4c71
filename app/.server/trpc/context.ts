import { clientAddress, type HeaderReader } from "../client-address";
import { visitorIdOf } from "../room-token";
import type { Services } from "../services";

/** Per-request dependencies. Tests build one directly to call procedures with either store. */
export interface Context {
  services: Services;
  /** The caller's member token for a room, from that room's signed cookie. */
  roomToken(roomId: string): Promise<string | null>;
  /** The caller's "Talk to a stranger" identity (a hash of their visitor cookie), if they have one. */
  visitorId(): Promise<string | null>;
  /** Who the caller is for rate limits: their address, as far as TRUST_PROXY lets us tell. */
  clientKey: string;
}

export function createContext(headers: HeaderReader, services: Services, peerAddress?: string): Context {
  const cookieHeader = headers.get("cookie");
  return {
    services,
    roomToken: (roomId) => services.cookies.read(cookieHeader, roomId),
    visitorId: async () => {
      const token = await services.cookies.readVisitor(cookieHeader);
      return token ? visitorIdOf(token) : null;
    },
    clientKey: clientAddress(headers, peerAddress, services.trustProxy),
  };
}
