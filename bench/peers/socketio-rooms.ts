import { nanoid } from "nanoid";
import { io, type Socket } from "socket.io-client";
import { openBenchMessage, poolFor, sealBenchMessage } from "../lib/client";
import type { OpenPairs } from "../lib/conversation";

/**
 * The load side of the Socket.IO reference (socketio-server.ts), as its browser client would
 * be: one WebSocket per person, the room named in the handshake, a send an emit with an ack.
 * Messages are the same stand-in ciphertexts the Ephemera pairs send (`sealBenchMessage`).
 */
interface SocketPair {
  roomId: string;
  sender: Socket;
  receiver: Socket;
}

export async function createSocketIoRoom(base: string): Promise<string> {
  const reply = await poolFor(base).request({
    method: "POST",
    path: "/rooms",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ttlSeconds: 3600 }),
  });
  const text = await reply.body.text();
  if (reply.statusCode !== 200) throw new Error(`POST /rooms: ${reply.statusCode} ${text.slice(0, 200)}`);
  return (JSON.parse(text) as { roomId: string }).roomId;
}

/** One person's socket in `roomId`, connected; `onText` gets each message's text, if given. */
export function connectSocketIo(base: string, roomId: string, onText?: (text: string) => void): Promise<Socket> {
  const socket = io(base, { transports: ["websocket"], auth: { roomId }, forceNew: true, reconnection: false });
  if (onText)
    socket.on("message", (message: { ciphertext?: string }) => {
      const text = message.ciphertext ? openBenchMessage(message.ciphertext) : null;
      if (text !== null) onText(text);
    });
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (error) => {
      socket.close();
      reject(error);
    });
  });
}

const OPEN_BATCH = 50;

/** `rooms` two-person rooms on the Socket.IO reference, both sockets connected, ready for `drive`. */
export async function openSocketIoRooms(base: string, rooms: number): Promise<OpenPairs<SocketPair>> {
  const pairs: SocketPair[] = [];
  const listeners = new Map<string, (text: string) => void>();
  for (let start = 0; start < rooms; start += OPEN_BATCH) {
    await Promise.all(
      Array.from({ length: Math.min(OPEN_BATCH, rooms - start) }, async () => {
        const roomId = await createSocketIoRoom(base);
        const sender = await connectSocketIo(base, roomId);
        // The receiver never sends: whatever reaches its socket is the partner's.
        const receiver = await connectSocketIo(base, roomId, (text) => listeners.get(roomId)?.(text));
        pairs.push({ roomId, sender, receiver });
      }),
    );
  }
  return {
    pairs,
    listeners,
    async send(pair, text) {
      const reply = (await pair.sender
        .timeout(30_000)
        .emitWithAck("message", { ciphertext: sealBenchMessage(text), clientId: nanoid() })) as {
        ok?: boolean;
        error?: string;
      };
      if (!reply.ok) throw new Error(`message: ${reply.error ?? "refused"}`);
    },
    close() {
      for (const pair of pairs) {
        pair.sender.close();
        pair.receiver.close();
      }
    },
  };
}
