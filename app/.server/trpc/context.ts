import type { Services } from "../services";

/** Per-request dependencies. Tests build one directly to call procedures with either store. */
export interface Context {
  services: Services;
  /** The caller's member token for a room, from that room's signed cookie. */
  roomToken(roomId: string): Promise<string | null>;
}

export function createContext(request: Request, services: Services): Context {
  const cookieHeader = request.headers.get("cookie");
  return {
    services,
    roomToken: (roomId) => services.cookies.read(cookieHeader, roomId),
  };
}
