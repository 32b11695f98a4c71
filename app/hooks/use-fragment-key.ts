import { useEffect, useState } from "react";
import { keyCheck } from "~/lib/crypto/key-check";
import { importRoomKey, readFragment, type RoomKey } from "~/lib/crypto/room-key";

/**
 * The room key in the address bar's fragment, read once on arrival. The server never sees the
 * fragment, so its render (and the browser's first one, which must match it) cannot know:
 * `unlocking` until the page runs. `unsupported`: this browser offers no WebCrypto here (a
 * plain-http address other than localhost), so nothing could be opened or sealed. `damaged`: the
 * fragment holds something, but not a whole key (cut short, altered). `wrong`: a well-formed key
 * whose check differs from the one the room's creator stored with the room.
 */
export type FragmentKey =
  | { status: "unlocking" }
  | { status: "unsupported" }
  | { status: "missing" }
  | { status: "damaged" }
  | { status: "wrong" }
  | { status: "found"; roomKey: RoomKey };

/** `expectedCheck`: the room's key check (from the page's data), or null when it has none. */
export function useFragmentKey(expectedCheck: string | null): FragmentKey {
  const [state, setState] = useState<FragmentKey>({ status: "unlocking" });
  useEffect(() => {
    if (!globalThis.crypto?.subtle) {
      setState({ status: "unsupported" });
      return;
    }
    const fragment = readFragment(window.location.hash);
    if (fragment.status !== "key") {
      setState({ status: fragment.status });
      return;
    }
    const { secret } = fragment;
    let current = true;
    Promise.all([importRoomKey(secret), expectedCheck === null ? null : keyCheck(secret)]).then(
      ([roomKey, check]) => {
        if (!current) return;
        if (!roomKey) return setState({ status: "damaged" });
        if (check !== null && check !== expectedCheck) return setState({ status: "wrong" });
        // A "." the link picked up at the end of a sentence: the address bar shows the key alone.
        if (window.location.hash !== `#${secret}`) {
          const { pathname, search } = window.location;
          window.history.replaceState(window.history.state, "", `${pathname}${search}#${secret}`);
        }
        setState({ status: "found", roomKey });
      },
      () => current && setState({ status: "damaged" }),
    );
    return () => {
      current = false;
    };
  }, [expectedCheck]);
  return state;
}
