import { createContext, useEffect, useMemo, useRef } from "react";
import type { MessageImage } from "~/lib/crypto/message-payload";
import type { RoomKey } from "~/lib/crypto/room-key";
import { downloadImage, ImageTransferError } from "~/lib/image-transfer";

/** The room's decrypted pictures, as object URLs that live (in memory) as long as the page. */
export interface RoomImages {
  /** The picture's URL, downloading and opening it the first time it is asked for. */
  load(image: MessageImage): Promise<string>;
  /** A picture this browser already holds (its own upload): shown without a download. */
  remember(id: string, blob: Blob): void;
}

export const RoomImagesContext = createContext<RoomImages | null>(null);

/** One download per picture, shared by every bubble and the enlarged view; freed with the page. */
export function useRoomImages(roomId: string, roomKey: RoomKey | null): RoomImages {
  const cache = useRef(new Map<string, Promise<string>>());
  const key = useRef(roomKey);
  key.current = roomKey;

  useEffect(() => {
    const urls = cache.current;
    return () => {
      for (const url of urls.values())
        url.then(
          (href) => URL.revokeObjectURL(href),
          () => {},
        );
      urls.clear();
    };
  }, []);

  return useMemo<RoomImages>(
    () => ({
      load(image) {
        const known = cache.current.get(image.id);
        if (known) return known;
        const roomKeyNow = key.current;
        const url = roomKeyNow
          ? downloadImage(roomId, roomKeyNow.key, image).then((blob) => URL.createObjectURL(blob))
          : Promise.reject(new ImageTransferError("There is no room key yet", true));
        cache.current.set(image.id, url);
        // A failure is not remembered: Retry asks again.
        url.catch(() => cache.current.delete(image.id));
        return url;
      },
      remember(id, blob) {
        if (!cache.current.has(id)) cache.current.set(id, Promise.resolve(URL.createObjectURL(blob)));
      },
    }),
    [roomId],
  );
}
