/**
 * The Socket.IO reference for `npm run bench -- peers`: a two-person chat as a competent author
 * writes it on Socket.IO 4 with the Redis adapter. WebSocket only (no long-polling first); a room
 * is a Redis hash with its deadline, made by `POST /rooms`; a socket joins its room in the
 * handshake (the room must exist), and each message is stored in the room's Redis list with the
 * room's deadline (one MULTI) and broadcast to the room, sender included, through the adapter;
 * the sender's ack follows. Written for the bench, not shipped.
 */
import { randomBytes } from "node:crypto";
import http from "node:http";
import { createAdapter } from "@socket.io/redis-adapter";
import { Redis } from "ioredis";
import { Server } from "socket.io";

const CAP = 1000;
const SAFE = /^[A-Za-z0-9_-]+$/;

const redisUrl = process.env.REDIS_URL ?? "";
const redis = new Redis(redisUrl);
const pubClient = new Redis(redisUrl);
const subClient = pubClient.duplicate();

const meta = (roomId: string) => `sio:{${roomId}}:meta`;
const msgs = (roomId: string) => `sio:{${roomId}}:msgs`;

const server = http.createServer((req, res) => {
  if (req.method !== "POST" || req.url !== "/rooms") {
    res.writeHead(404).end();
    return;
  }
  let body = "";
  req.setEncoding("utf8");
  req.on("data", (chunk: string) => (body += chunk));
  req.on("end", () => {
    let ttlSeconds: unknown;
    try {
      ttlSeconds = (JSON.parse(body) as { ttlSeconds?: unknown }).ttlSeconds;
    } catch {
      // answered below
    }
    if (typeof ttlSeconds !== "number" || !(ttlSeconds >= 60 && ttlSeconds <= 86_400)) {
      res.writeHead(400).end('{"error":"ttlSeconds: 60 to 86400"}');
      return;
    }
    const roomId = randomBytes(12).toString("base64url");
    const exp = Date.now() + ttlSeconds * 1000;
    redis
      .multi()
      .hset(meta(roomId), "exp", exp, "joins", 0)
      .pexpireat(meta(roomId), exp)
      .exec()
      .then(
        () => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ roomId })),
        () => res.writeHead(500).end(),
      );
  });
});

const io = new Server(server, {
  transports: ["websocket"],
  serveClient: false,
  adapter: createAdapter(pubClient, subClient),
});

interface SocketData {
  roomId: string;
  seat: number;
  exp: number;
}

// The handshake names the room; a room that does not exist (or has its two people) refuses.
io.use((socket, next) => {
  const roomId: unknown = (socket.handshake.auth as { roomId?: unknown }).roomId;
  if (typeof roomId !== "string" || !SAFE.test(roomId)) return next(new Error("roomId: required"));
  redis
    .multi()
    .hget(meta(roomId), "exp")
    .hincrby(meta(roomId), "joins", 1)
    .exec()
    .then((replies) => {
      const exp = replies?.[0]?.[1] as string | null;
      const seat = replies?.[1]?.[1] as number;
      if (!exp || seat > 2) return next(new Error("no room or no seat"));
      (socket.data as SocketData) = { roomId, seat, exp: Number(exp) };
      void socket.join(roomId);
      next();
    }, next);
});

io.on("connection", (socket) => {
  const { roomId, seat, exp } = socket.data as SocketData;
  socket.on("message", (input: unknown, ack: unknown) => {
    if (typeof ack !== "function") return;
    const { ciphertext, clientId } = (input ?? {}) as { ciphertext?: unknown; clientId?: unknown };
    if (typeof ciphertext !== "string" || ciphertext.length > 8192 || !SAFE.test(ciphertext))
      return ack({ error: "ciphertext: base64url, at most 8192 characters" });
    if (typeof clientId !== "string" || clientId.length > 64 || !SAFE.test(clientId))
      return ack({ error: "clientId: at most 64 base64url characters" });
    const message = { author: seat, clientId, ciphertext, time: Date.now() };
    redis
      .multi()
      .rpush(msgs(roomId), JSON.stringify(message))
      .ltrim(msgs(roomId), -CAP, -1)
      .pexpireat(msgs(roomId), exp)
      .exec()
      .then(
        () => {
          io.to(roomId).emit("message", message);
          ack({ ok: true });
        },
        () => ack({ error: "not stored" }),
      );
  });
});

server.listen(Number(process.env.PORT), "127.0.0.1", () => console.log("listening"));
process.on("SIGTERM", () => process.exit(0));
