import { useNavigate } from "@remix-run/react";
import { useCallback, useRef, type MutableRefObject } from "react";
import type { RoomKind } from "~/shared/room-kinds";
import { endingPath, type RoomEnding } from "~/lib/room-ending";

export interface RoomExit {
  /**
   * True from the moment the person confirms something that ends their time in the room (Destroy,
   * Leave, Skip, End chat) until it fails: best-effort requests would race it and meet a 404.
   */
  closing: MutableRefObject<boolean>;
  /** The room ended (stream, deadline, or an own action's success): leave for its notice. */
  end: (ending: RoomEnding) => void;
  /** Leaves for `path` (the next stranger chat, the search); only the first exit counts. */
  go: (path: string) => void;
  /** An own ending action is under way. */
  begin: () => void;
  /** It failed: stay, unless the room ended meanwhile anyway. */
  fail: () => void;
}

/** The one way out of a room page, whichever of its endings comes first. */
export function useRoomExit(kind: RoomKind): RoomExit {
  const navigate = useNavigate();
  const left = useRef(false);
  const closing = useRef(false);
  const endedMeanwhile = useRef<RoomEnding | null>(null);

  const go = useCallback(
    (path: string) => {
      if (left.current) return;
      left.current = true;
      navigate(path, { replace: true });
    },
    [navigate],
  );

  const end = useCallback(
    (ending: RoomEnding) => {
      // Our own Skip or End chat destroys a stranger chat too, and its stream says so before or
      // after the response does; the response knows where to go next (a new chat, the search).
      if (kind === "match" && closing.current && (ending === "destroyed" || ending === "gone")) {
        endedMeanwhile.current = ending;
        return;
      }
      go(endingPath(kind, ending));
    },
    [kind, go],
  );

  const begin = useCallback(() => {
    closing.current = true;
  }, []);

  const fail = useCallback(() => {
    // Both strangers pressed Skip at once: theirs won, ours was refused, and the chat is over.
    if (endedMeanwhile.current) go(endingPath(kind, endedMeanwhile.current));
    else closing.current = false;
  }, [kind, go]);

  return { closing, end, go, begin, fail };
}
