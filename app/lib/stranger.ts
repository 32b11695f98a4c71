import { partnerStatus, unknownPartner, type PartnerState } from "./partner";
import type { OpenedRoomEvent } from "./chat-message";
import { initialRoomViewState, type RoomViewState } from "./room-view-state";

/** How strangers appear to each other, and the only name this browser sends in their chat. */
export const STRANGER_NAME = "Stranger";

/**
 * Names are not shared with strangers. This browser seals "Stranger" as its name, and whatever
 * the other browser sealed (an older page, a hand-made request) is shown as "Stranger" all the same.
 */
export function maskStrangerName(event: OpenedRoomEvent): OpenedRoomEvent {
  if (
    event.type === "message" &&
    !event.message.mine &&
    !event.message.undecryptable &&
    event.message.sender !== STRANGER_NAME
  ) {
    return { ...event, message: { ...event.message, sender: STRANGER_NAME } };
  }
  if ((event.type === "typing" || event.type === "name") && event.name !== STRANGER_NAME)
    return { ...event, name: STRANGER_NAME };
  return event;
}

/** Known as "Stranger" from the start, so even the first "… joined" names nobody. */
export const strangerRoomViewState: RoomViewState = {
  ...initialRoomViewState,
  partner: { ...unknownPartner, name: STRANGER_NAME },
};

/**
 * The stranger was here and has been gone longer than the server's grace period (a closed tab or
 * a lost connection, not a reload). Someone who never arrived is not "disconnected".
 */
export function strangerDisconnected(partner: PartnerState): boolean {
  return partnerStatus(partner).kind === "last-seen";
}
