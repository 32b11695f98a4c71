import type { MessageImage } from "./crypto/message-payload";
import { openBytes, sealBytes } from "./crypto/seal";

type Fetch = typeof fetch;

/**
 * An image upload or download failed. `transient`: the network or a busy server, so the same
 * request may work later (the outbox waits and tries again); otherwise the answer was "no".
 */
export class ImageTransferError extends Error {
  override name = "ImageTransferError";
  constructor(
    message: string,
    readonly transient: boolean,
  ) {
    super(message);
  }
}

const imageUrl = (roomId: string, imageId: string) =>
  `/api/rooms/${encodeURIComponent(roomId)}/images/${encodeURIComponent(imageId)}`;

/**
 * Seals the image's bytes to its id and uploads the ciphertext. An id the room already holds
 * means an earlier attempt got through before its answer was lost: that counts as done.
 */
export async function uploadImage(
  roomId: string,
  key: CryptoKey,
  image: { id: string; blob: Blob },
  fetchImpl: Fetch = fetch,
): Promise<void> {
  const sealed = await sealBytes(
    key,
    { roomId, purpose: "image", slot: image.id },
    new Uint8Array(await image.blob.arrayBuffer()),
  );
  let response: Response;
  try {
    response = await fetchImpl(imageUrl(roomId, image.id), {
      method: "PUT",
      headers: { "content-type": "application/octet-stream" },
      body: sealed,
    });
  } catch {
    throw new ImageTransferError("Could not send the image: check your connection", true);
  }
  if (response.ok || response.status === 409) return;
  throw new ImageTransferError(
    await serverMessage(response, "Could not send the image"),
    isTransientStatus(response.status),
  );
}

/** Downloads an image's ciphertext and opens it with the room key. */
export async function downloadImage(
  roomId: string,
  key: CryptoKey,
  image: MessageImage,
  fetchImpl: Fetch = fetch,
): Promise<Blob> {
  let response: Response;
  try {
    response = await fetchImpl(imageUrl(roomId, image.id));
  } catch {
    throw new ImageTransferError("Could not load the image: check your connection", true);
  }
  if (response.status === 404) throw new ImageTransferError("This image is no longer available", false);
  if (!response.ok)
    throw new ImageTransferError(
      await serverMessage(response, "Could not load the image"),
      isTransientStatus(response.status),
    );
  try {
    const bytes = await openBytes(
      key,
      { roomId, purpose: "image", slot: image.id },
      new Uint8Array(await response.arrayBuffer()),
    );
    return new Blob([bytes], { type: image.type });
  } catch {
    throw new ImageTransferError("This image could not be decrypted", false);
  }
}

const isTransientStatus = (status: number) => status === 429 || status >= 500;

async function serverMessage(response: Response, fallback: string): Promise<string> {
  try {
    const body = (await response.json()) as { error?: { message?: unknown } };
    if (typeof body.error?.message === "string") return `${fallback}: ${body.error.message}`;
  } catch {
    // Not our JSON (a proxy's error page): the status says enough.
  }
  return `${fallback} (HTTP ${response.status})`;
}
