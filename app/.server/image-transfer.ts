import { SEAL_OVERHEAD_BYTES } from "~/shared/sealed-formats";
import { SEALED_IMAGE_MAX_BYTES } from "~/shared/limits";
import { clientAddress } from "./client-address";
import { logger, roomTag } from "./logger";
import { RateLimitedError } from "./rate-limits";
import { ROOM_ID_PATTERN } from "./room-token";
import { createContext } from "./trpc/context";
import { seatHolderFor } from "./trpc/trpc";
import { StoreUnavailableError, unavailableMessage } from "./store-errors";
import type { Services } from "./services";

/** Image ids are chosen by the sender's browser (the image is sealed to its id before upload). */
export const IMAGE_ID_PATTERN = /^[\w-]{8,36}$/;

/**
 * Sealed images in and out of a room: `PUT` stores the bytes a member's browser sealed, `GET`
 * hands them to members. The server checks membership and size; it cannot see what the image is.
 * Answers are JSON `{ error: { code, message } }` on failure, the message naming what was wrong.
 */
export async function handleImageRequest(
  request: Request,
  params: { roomId?: string; imageId?: string },
  services: Services,
  peerAddress?: string,
): Promise<Response> {
  const roomId = params.roomId ?? "";
  const imageId = params.imageId ?? "";
  if (!ROOM_ID_PATTERN.test(roomId)) return failure(400, "BAD_REQUEST", "roomId: must be a 21-character room id");
  if (!IMAGE_ID_PATTERN.test(imageId)) {
    return failure(400, "BAD_REQUEST", "imageId: must be 8 to 36 letters, digits, '-' or '_'");
  }
  try {
    // A room's cookie, or a signed-in account's seat in a direct chat.
    const { memberId } = await seatHolderFor(createContext(request.headers, services, peerAddress), roomId);
    if (request.method === "GET" || request.method === "HEAD")
      return await download(services, roomId, memberId, imageId);
    if (request.method === "PUT") {
      const address = clientAddress(request.headers, peerAddress, services.trustProxy);
      return await upload(request, services, { roomId, memberId, imageId, address });
    }
    return failure(405, "METHOD_NOT_SUPPORTED", "Images are uploaded with PUT and read with GET", {
      Allow: "GET, PUT",
    });
  } catch (error) {
    if (error instanceof StoreUnavailableError) {
      return failure(503, "SERVICE_UNAVAILABLE", unavailableMessage(error), {
        "Retry-After": String(error.retryAfterSeconds),
      });
    }
    throw error;
  }
}

async function download(services: Services, roomId: string, memberId: string, imageId: string): Promise<Response> {
  const found = await services.store.getImage(roomId, memberId, imageId);
  switch (found.status) {
    case "not-found":
      return roomGone();
    case "not-member":
      return notAMember();
    case "no-image":
      return failure(404, "NOT_FOUND", "imageId: no such image in this room");
    case "found":
      return new Response(found.bytes as Uint8Array<ArrayBuffer>, {
        headers: {
          "Content-Type": "application/octet-stream",
          "Content-Length": String(found.bytes.byteLength),
          // Ciphertext, but still the room's: never kept by a browser cache or a proxy.
          "Cache-Control": "no-store",
        },
      });
  }
}

async function upload(
  request: Request,
  services: Services,
  { roomId, memberId, imageId, address }: { roomId: string; memberId: string; imageId: string; address: string },
) {
  // Membership first: a stranger to the room must not make us read two megabytes.
  const status = await services.store.memberStatus(roomId, memberId);
  if (status.status === "not-found") return unread(roomGone());
  if (status.status === "not-member") return unread(notAMember());
  try {
    await services.limits.consume("uploadImage", `${roomId}:${memberId}`);
    // Charged before the body is read, at the length it declares (Node's parser stops a body
    // there): a refused upload costs no more than reading its head.
    await services.imageBudget.spend(address, declaredBytes(request));
  } catch (error) {
    if (!(error instanceof RateLimitedError)) throw error;
    return unread(failure(429, "TOO_MANY_REQUESTS", error.message, { "Retry-After": String(error.retryAfterSeconds) }));
  }
  const body = await readCapped(request, SEALED_IMAGE_MAX_BYTES);
  if (body === "too-large") {
    return failure(413, "PAYLOAD_TOO_LARGE", `body: a sealed image must be at most ${SEALED_IMAGE_MAX_BYTES} bytes`);
  }
  if (body.byteLength < SEAL_OVERHEAD_BYTES) return failure(400, "BAD_REQUEST", "body: too short to be a sealed image");
  const outcome = await services.store.putImage(roomId, memberId, imageId, body);
  switch (outcome) {
    case "not-found":
      return roomGone();
    case "not-member":
      return notAMember();
    case "exists":
      return failure(409, "CONFLICT", "imageId: this room already has an image with that id");
    case "room-full":
      return failure(413, "PAYLOAD_TOO_LARGE", "This room has no room for more images: it holds as many as it can");
    case "store-full":
      return failure(
        503,
        "SERVICE_UNAVAILABLE",
        "This server holds as many images as it can right now. Try again in a few minutes.",
        {
          "Retry-After": "60",
        },
      );
    case "stored":
      logger.info({ room: roomTag(roomId), bytes: body.byteLength }, "image stored");
      return Response.json({ ok: true }, { status: 201, headers: { "Cache-Control": "no-store" } });
  }
}

/** What an upload is charged: its declared length, or the most an image may be without one. */
function declaredBytes(request: Request): number {
  const declared = Number(request.headers.get("content-length") ?? NaN);
  return Number.isSafeInteger(declared) && declared >= 0
    ? Math.min(declared, SEALED_IMAGE_MAX_BYTES)
    : SEALED_IMAGE_MAX_BYTES;
}

/**
 * The body, read chunk by chunk and abandoned as soon as it passes `maxBytes`, so an oversized
 * upload costs at most that much memory whatever it declares (or doesn't).
 */
export async function readCapped(request: Request, maxBytes: number): Promise<Uint8Array | "too-large"> {
  const declared = Number(request.headers.get("content-length") ?? NaN);
  if (declared > maxBytes) return "too-large";
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      return "too-large";
    }
    chunks.push(value);
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

/**
 * For an answer given without reading the body: the connection closes after it. Kept open, the
 * unread body stalled it, and the client's next request on it, until the request timeout.
 */
function unread(response: Response): Response {
  response.headers.set("Connection", "close");
  return response;
}

const roomGone = () => failure(404, "NOT_FOUND", "This room does not exist or has ended");
const notAMember = () => failure(401, "UNAUTHORIZED", "You are not a member of this room");

function failure(status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  return Response.json({ error: { code, message } }, { status, headers: { "Cache-Control": "no-store", ...headers } });
}
