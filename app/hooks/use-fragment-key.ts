import { useEffect, useState } from "react";
import { importRoomKey, keyFromFragment, type RoomKey } from "~/lib/crypto/room-key";

/**
 * The room key in the address bar's fragment, read once on arrival. The server never sees the
 * fragment, so its render (and the browser's first one, which must match it) cannot know:
 * `unlocking` until the page runs. `unsupported`: this browser offers no WebCrypto here (a
 * plain-http address other than localhost), so nothing could be opened or sealed.
 */
export type FragmentKey =
  | { status: "unlocking" }
  | { status: "unsupported" }
  | { status: "missing" }
  | { status: "found"; roomKey: RoomKey };

export function useFragmentKey(): FragmentKey {
  const [state, setState] = useState<FragmentKey>({ status: "unlocking" });
  useEffect(() => {
    if (!globalThis.crypto?.subtle) {
      setState({ status: "unsupported" });
      return;
    }
    const secret = keyFromFragment(window.location.hash);
    if (!secret) {
      setState({ status: "missing" });
      return;
    }
    let current = true;
    importRoomKey(secret).then(
      (roomKey) => current && setState(roomKey ? { status: "found", roomKey } : { status: "missing" }),
      () => current && setState({ status: "missing" }),
    );
    return () => {
      current = false;
    };
  }, []);
  return state;
}
