/**
 * The bare floor for `npm run bench -- peers`: Ephemera's per-message protocol work and nothing
 * else, on node:http. A send is a POST of the sealed message (tRPC's batch shape, so the bench's
 * one client drives it unchanged), checked against an HMAC-signed seat cookie; one Lua script
 * stores it under the next id with the room's deadline and publishes it; the process's one
 * subscriber connection fans each room event out over server-sent events, the frame built once
 * per event and written to every local stream of the room. Written for the bench, not shipped.
 *
 * Left out, as the product's extras: receipts, presence, typing, exactly-once sends (clientIds
 * are stored, not checked), history on open, rate limits, metrics, logs.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import { Redis } from "ioredis";

const SECRET = randomBytes(32);
const CAP = 1000;
const PING_MS = 15_000;
const MAX_BODY = 65_536;
const SAFE = /^[A-Za-z0-9_-]+$/;

/** KEYS: meta, msgs. ARGV: channel, author, clientId, ciphertext, cap. Returns the id, or 0 for a gone room. */
const SEND = `
local exp = redis.call('HGET', KEYS[1], 'exp')
if not exp then return 0 end
local id = redis.call('HINCRBY', KEYS[1], 'seq', 1)
local msg = id .. '|' .. ARGV[2] .. '|' .. ARGV[3] .. '|' .. ARGV[4]
if redis.call('RPUSH', KEYS[2], msg) > tonumber(ARGV[5]) then redis.call('LPOP', KEYS[2]) end
redis.call('PEXPIREAT', KEYS[2], exp)
redis.call('PUBLISH', ARGV[1], msg)
return id`;

/** KEYS: meta. ARGV: ttlMs. */
const CREATE = `
local t = redis.call('TIME')
local exp = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[1])
redis.call('HSET', KEYS[1], 'exp', exp, 'seq', 0, 'joins', 0)
redis.call('PEXPIREAT', KEYS[1], exp)
return exp`;

/** KEYS: meta. Returns the new seat, or 0 for a gone or full room. */
const JOIN = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local seat = redis.call('HINCRBY', KEYS[1], 'joins', 1)
if seat > 2 then return 0 end
return seat`;

interface Scripts {
  storeMessage(
    meta: string,
    msgs: string,
    channel: string,
    author: string,
    clientId: string,
    ciphertext: string,
    cap: number,
  ): Promise<number>;
  createRoom(meta: string, ttlMs: number): Promise<number>;
  joinRoom(meta: string): Promise<number>;
}

const redisUrl = process.env.REDIS_URL ?? "";
const redis = new Redis(redisUrl) as Redis & Scripts;
const subscriber = new Redis(redisUrl);
redis.defineCommand("storeMessage", { numberOfKeys: 2, lua: SEND });
redis.defineCommand("createRoom", { numberOfKeys: 1, lua: CREATE });
redis.defineCommand("joinRoom", { numberOfKeys: 1, lua: JOIN });

const meta = (roomId: string) => `fl:{${roomId}}:meta`;
const msgs = (roomId: string) => `fl:{${roomId}}:msgs`;
const channel = (roomId: string) => `fl:${roomId}`;

const sign = (value: string) => createHmac("sha256", SECRET).update(value).digest("base64url");

/** The seat cookie's room and seat, if its signature holds. */
function seatOf(req: IncomingMessage): { roomId: string; seat: string } | null {
  const match = /(?:^|; )fl=([A-Za-z0-9_-]+)\.(\d+)\.([A-Za-z0-9_-]+)/.exec(req.headers.cookie ?? "");
  if (!match) return null;
  const [, roomId, seat, signature] = match as unknown as [string, string, string, string];
  const expected = Buffer.from(sign(`${roomId}.${seat}`));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected) ? { roomId, seat } : null;
}

function answer(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...headers });
  res.end(body);
}

const result = (data: string) => `[{"result":{"data":{"json":${data}}}}]`;
const refuse = (res: ServerResponse, message: string) => answer(res, 400, JSON.stringify({ error: message }));

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
      if (body.length > MAX_BODY) {
        resolve(null);
        req.destroy();
      }
    });
    req.on("end", () => resolve(body));
  });
}

/** The batch's one input, tRPC's shape: `{"0":{"json":…}}`. */
function batchInput(body: string | null): Record<string, unknown> | null {
  try {
    const input = (JSON.parse(body ?? "") as { 0?: { json?: unknown } })[0]?.json;
    return input && typeof input === "object" ? (input as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

async function send(req: IncomingMessage, res: ServerResponse) {
  const seat = seatOf(req);
  if (!seat) return answer(res, 401, '{"error":"no seat"}');
  const input = batchInput(await readBody(req));
  const { roomId, ciphertext, clientId } = input ?? {};
  if (roomId !== seat.roomId) return refuse(res, "roomId: not your room");
  if (typeof ciphertext !== "string" || ciphertext.length > 8192 || !SAFE.test(ciphertext))
    return refuse(res, "ciphertext: base64url, at most 8192 characters");
  if (typeof clientId !== "string" || clientId.length > 64 || !SAFE.test(clientId))
    return refuse(res, "clientId: at most 64 base64url characters");
  const id = await redis.storeMessage(
    meta(roomId),
    msgs(roomId),
    channel(roomId),
    seat.seat,
    clientId,
    ciphertext,
    CAP,
  );
  if (id === 0) return answer(res, 404, '{"error":"room gone"}');
  answer(res, 200, result(`{"id":${id}}`));
}

async function create(req: IncomingMessage, res: ServerResponse) {
  const ttlSeconds = batchInput(await readBody(req))?.ttlSeconds;
  if (typeof ttlSeconds !== "number" || !(ttlSeconds >= 60 && ttlSeconds <= 86_400))
    return refuse(res, "ttlSeconds: 60 to 86400");
  const roomId = randomBytes(12).toString("base64url");
  await redis.createRoom(meta(roomId), ttlSeconds * 1000);
  answer(res, 200, result(`{"roomId":"${roomId}"}`));
}

async function visit(res: ServerResponse, roomId: string) {
  const seat = await redis.joinRoom(meta(roomId));
  if (seat === 0) return answer(res, 404, '{"error":"no room or no seat"}');
  const value = `${roomId}.${seat}`;
  answer(res, 200, "{}", { "set-cookie": `fl=${value}.${sign(value)}; Path=/; HttpOnly; SameSite=Lax` });
}

/** Each room's local streams; a room's first subscribes its channel, its last unsubscribes. */
const rooms = new Map<string, Set<ServerResponse>>();

subscriber.on("message", (name: string, record: string) => {
  const streams = rooms.get(name.slice(3));
  if (!streams) return;
  // id|author|clientId|ciphertext, the last two base64url: the frame is built once per event.
  const [id, author, clientId, ciphertext] = record.split("|");
  const frame = `id: ${id}\ndata: {"json":{"type":"message","message":{"id":${id},"author":${author},"clientId":"${clientId}","ciphertext":"${ciphertext}"}}}\n\n`;
  for (const res of streams) res.write(frame);
});

function events(req: IncomingMessage, res: ServerResponse, url: URL) {
  const seat = seatOf(req);
  let roomId: unknown;
  try {
    roomId = (JSON.parse(url.searchParams.get("input") ?? "") as { json?: { roomId?: unknown } }).json?.roomId;
  } catch {
    return refuse(res, "input: could not be parsed");
  }
  if (!seat || roomId !== seat.roomId) return answer(res, 401, '{"error":"no seat in this room"}');
  res.useChunkedEncodingByDefault = false;
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "close" });
  res.write('event: connected\ndata: {}\n\ndata: {"json":{"type":"ready"}}\n\n');
  let streams = rooms.get(seat.roomId);
  if (!streams) {
    rooms.set(seat.roomId, (streams = new Set()));
    void subscriber.subscribe(channel(seat.roomId));
  }
  streams.add(res);
  res.on("close", () => {
    streams.delete(res);
    if (streams.size === 0 && rooms.get(seat.roomId) === streams) {
      rooms.delete(seat.roomId);
      void subscriber.unsubscribe(channel(seat.roomId));
    }
  });
}

// One timer for every stream, not one each.
setInterval(() => {
  for (const streams of rooms.values()) for (const res of streams) res.write("event: ping\ndata: \n\n");
}, PING_MS).unref();

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://localhost");
  const route = `${req.method} ${url.pathname}`;
  const fail = () => {
    if (!res.headersSent) answer(res, 500, '{"error":"internal"}');
    else res.destroy();
  };
  if (route === "POST /api/trpc/message.send") return void send(req, res).catch(fail);
  if (route === "GET /api/trpc/room.events") return events(req, res, url);
  if (route === "POST /api/trpc/room.create") return void create(req, res).catch(fail);
  const room = /^\/room\/([A-Za-z0-9_-]+)$/.exec(url.pathname);
  if (req.method === "GET" && room) return void visit(res, room[1]!).catch(fail);
  answer(res, 404, '{"error":"not found"}');
});
server.keepAliveTimeout = 5000;
server.listen(Number(process.env.PORT), "127.0.0.1", () => console.log("listening"));
process.on("SIGTERM", () => process.exit(0));
