import { clientAddress } from "../client-address";
import type { Services } from "../services";

/** Per-request dependencies. Tests build one directly to call procedures with either store. */
export interface Context {
  services: Services;
  /** The caller's member token for a room, from that room's signed cookie. */
  roomToken(roomId: string): Promise<string | null>;
  /** Who the caller is for rate limits: their address, as far as TRUST_PROXY lets us tell. */
  clientKey: string;
}

export function createContext(request: Request, services: Services, peerAddress?: string): Context {
  const cookieHeader = request.headers.get("cookie");
  return {
    services,
    roomToken: (roomId) => services.cookies.read(cookieHeader, roomId),
    clientKey: clientAddress(request.headers, peerAddress, services.trustProxy),
  };
}
