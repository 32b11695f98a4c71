import zlib from "node:zlib";
import { nanoid } from "nanoid";
import { Pool, type Dispatcher } from "undici";
import { openStreamingGet, TabConnection } from "./raw-http";

/**
 * A lean client speaking Ephemera's real protocol: the gate over HTTP, tRPC mutations batched
 * as the browser batches them, `room.events` as server-sent events. Room setup and gate visits
 * go through undici; a tab's sends and its stream, the work done per message, through bare
 * sockets (raw-http.ts), which keeps the load generator cheap enough not to be the bottleneck:
 * at thousands of sends a second it shares the two cores with the server, so its cost is part
 * of what the throughput scenario measures (bench/README.md).
 */
export const DESKTOP_UA =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";
/** What Chrome accepts: the server compresses pages for it, which costs what it costs. */
const BROWSER_ENCODINGS = "gzip, deflate, br, zstd";

/**
 * One pool of kept-alive connections per server for everything but a tab's sends: room setup
 * and gate visits. One pool, not one per kind of request: in `idle` every socket kept here
 * counts against the server's file descriptors, which the open streams need. (undici drops an
 * idle connection before the server's announced keep-alive timeout, so it never sends on one
 * the server is closing.)
 */
const pools = new Map<string, Pool>();
export function poolFor(base: string): Pool {
  let pool = pools.get(base);
  if (!pool) pools.set(base, (pool = new Pool(base, { connections: 512, pipelining: 1 })));
  return pool;
}

/**
 * Closes the shared pools' kept-alive connections. A stream holder does once its streams are
 * open: otherwise they stay until their keep-alive timeout, holding server file descriptors the
 * last streams need.
 */
export async function closeSharedConnections(): Promise<void> {
  const closing = [...pools.values()].map((pool) => pool.close());
  pools.clear();
  await Promise.all(closing);
}

/**
 * A tab's own kept-alive connection for its mutations (its event stream holds another), as a
 * browser keeps the one its page came on. Sends on a shared pool instead opened hundreds of new
 * connections the moment the rate rose, and that connection storm, not the steady rate, made
 * the first seconds' p99 (bench/README.md).
 */
export function tabConnection(base: string): TabConnection {
  return new TabConnection(base);
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A response body as text, decompressed as a browser would. */
function decodedText(body: Buffer, encoding: string | string[] | undefined): string {
  if (encoding === "br") return zlib.brotliDecompressSync(body).toString("utf8");
  if (encoding === "gzip") return zlib.gunzipSync(body).toString("utf8");
  if (encoding === "deflate") return zlib.inflateSync(body).toString("utf8");
  return body.toString("utf8");
}

/** What every request from the browser carries. */
const BROWSER_HEADERS = { "user-agent": DESKTOP_UA, "accept-encoding": BROWSER_ENCODINGS };

function dispatch(
  connection: Dispatcher,
  method: Dispatcher.HttpMethod,
  path: string,
  headers: Record<string, string>,
  body?: string,
) {
  return connection.request({ method, path, headers: { ...BROWSER_HEADERS, ...headers }, body });
}

async function readReply(reply: Dispatcher.ResponseData): Promise<Reply> {
  const text = decodedText(Buffer.from(await reply.body.arrayBuffer()), reply.headers["content-encoding"]);
  return { status: reply.statusCode, headers: reply.headers, body: text };
}

/** A GET as the browser makes it (user agent, encodings), on the server's shared pool. */
export async function get(base: string, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return readReply(await dispatch(poolFor(base), "GET", path, headers));
}

/** Where a query goes as the browser's `httpBatchLink` sends it: a batch of one, the input under "0". */
export function queryPath(path: string, input: unknown): string {
  return `/api/trpc/${path}?batch=1&input=${encodeURIComponent(JSON.stringify({ 0: { json: input } }))}`;
}

/**
 * A query as the browser's `httpBatchLink` makes it: a GET, a batch of one, the input under "0"
 * in the URL. Returns the answer's data and how many characters it took, decompressed.
 */
export async function query<T = unknown>(
  base: string,
  path: string,
  input: unknown,
  cookie: string,
): Promise<{ data: T; chars: number }> {
  const reply = await get(base, queryPath(path, input), { cookie });
  if (reply.status !== 200) throw mutationFailed(path, reply);
  const data = (JSON.parse(reply.body) as Array<{ result: { data: { json: T } } }>)[0]!.result.data.json;
  return { data, chars: reply.body.length };
}

function mutationFailed(path: string, reply: Reply): Error {
  return new Error(`${path}: ${reply.status} ${reply.body.slice(0, 200)}`);
}

/**
 * One mutation as the browser's `httpBatchLink` sends it: a batch of one, `?batch=1`, the input
 * under "0", the answer in an array. Returns the answer's data.
 */
export async function mutate<T = unknown>(
  connection: Dispatcher,
  path: string,
  input: unknown,
  cookie?: string,
): Promise<T> {
  const reply = await readReply(await dispatchMutation(connection, path, input, cookie));
  if (reply.status !== 200) throw mutationFailed(path, reply);
  return (JSON.parse(reply.body) as Array<{ result: { data: { json: T } } }>)[0]!.result.data.json;
}

/**
 * A mutation whose answer's data the caller does not use (every send and receipt): a 200 is
 * success, and its body is dropped without decoding, which the server cannot tell. The load
 * generator shares the machine's cores with the server, so what it spends that a browser would
 * spend on its own device is kept small.
 */
async function mutateForEffect(connection: TabConnection, path: string, input: unknown, cookie: string): Promise<void> {
  const reply = await connection.post(
    `/api/trpc/${path}?batch=1`,
    { ...BROWSER_HEADERS, "content-type": "application/json", cookie },
    mutationBody(input),
  );
  if (reply.status !== 200)
    throw mutationFailed(path, { status: reply.status, headers: {}, body: reply.body.toString("utf8") });
}

function mutationBody(input: unknown): string {
  return JSON.stringify({ 0: { json: input } });
}

function dispatchMutation(connection: Dispatcher, path: string, input: unknown, cookie?: string) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (cookie) headers.cookie = cookie;
  return dispatch(connection, "POST", `/api/trpc/${path}?batch=1`, headers, mutationBody(input));
}

export async function createRoom(base: string, ttlSeconds = 3600): Promise<string> {
  return (await mutate<{ roomId: string }>(poolFor(base), "room.create", { ttlSeconds })).roomId;
}

/**
 * What the room's creator's browser does after `room.create`: a client-side navigation, so no
 * document, only the room loader's data (every route is in the page's manifest: no route
 * discovery, decision 013). Returns the seat's cookie.
 */
export async function navigateToRoom(base: string, roomId: string): Promise<string> {
  return firstCookie(
    await get(base, `/room/${roomId}?_data=${encodeURIComponent("routes/room.$roomId")}`),
    "gate (data)",
  );
}

/** Opens the room page like a browser and returns the seat's cookie. */
export async function visit(base: string, roomId: string): Promise<string> {
  return firstCookie(await get(base, `/room/${roomId}`), "gate");
}

/**
 * `account.signUp` as the browser sends it (`fakeSignUp`'s input): one argon2id hash on the
 * server. Resolves to the account's session cookie (`name=value`), which the account's every
 * later request carries: its direct chats' sends and streams are authorised by it alone.
 */
export async function signUp(base: string, input: { username: string }): Promise<string> {
  return firstCookie(await readReply(await dispatchMutation(poolFor(base), "account.signUp", input)), "account.signUp");
}

/** The first cookie the answer set (`name=value`: a seat's, or a session's), or an error naming the request. */
function firstCookie(reply: Reply, what: string): string {
  const cookie = [reply.headers["set-cookie"] ?? []].flat()[0]?.split(";")[0];
  if (reply.status !== 200 || !cookie) throw new Error(`${what}: ${reply.status}`);
  return cookie;
}

/** What a browser seals: its compact payload JSON (message-payload.ts), the sender's name inside. */
const BENCH_NAME = "bench";
/** AES-GCM's 12-byte IV and 16-byte tag around the sealed payload. */
const SEAL_OVERHEAD_BYTES = 28;
const SEAL_PREFIX = Buffer.alloc(SEAL_OVERHEAD_BYTES);

/**
 * A stand-in ciphertext exactly as long as the browser's sealed message for `text` from "bench"
 * (a 100-character text: 148 bytes, 198 base64url characters), so the server stores and relays
 * as many bytes as in real use. Not encrypted: the load generator reads `text` back from it with
 * `openBenchMessage` (the server cannot tell, and never looks).
 */
export function sealBenchMessage(text: string): string {
  const payload = Buffer.from(JSON.stringify({ n: BENCH_NAME, t: text }));
  return Buffer.concat([SEAL_PREFIX, payload]).toString("base64url");
}

/** The text inside a `sealBenchMessage` ciphertext; null for anything else. */
export function openBenchMessage(ciphertext: string): string | null {
  try {
    const wire = JSON.parse(Buffer.from(ciphertext, "base64url").subarray(SEAL_OVERHEAD_BYTES).toString()) as {
      t?: unknown;
    };
    return typeof wire.t === "string" ? wire.t : null;
  } catch {
    return null;
  }
}

/** A send as the browser makes it: sealed, with its own 21-character clientId (for exactly-once storage). */
export async function send(connection: TabConnection, cookie: string, roomId: string, text: string): Promise<void> {
  await mutateForEffect(
    connection,
    "message.send",
    { roomId, ciphertext: sealBenchMessage(text), clientId: nanoid() },
    cookie,
  );
}

/** A reader's receipt, as the browser sends it after messages reach it while its tab is visible. */
export async function acknowledge(
  connection: TabConnection,
  cookie: string,
  roomId: string,
  id: number,
): Promise<void> {
  await mutateForEffect(connection, "message.receipt", { roomId, delivered: id, seen: id }, cookie);
}

export interface RoomEventData {
  type: string;
  message?: { id: number; ciphertext: string; clientId: string; mine: boolean };
  count?: number;
}

export interface Stream {
  opened: Promise<void>;
  close(): void;
}

/**
 * Subscribes to `room.events`; `onEvent` gets each event's data, parsed. Without `onEvent` the
 * events are read but not decoded (a sender's own stream, a held stream): the server sends and
 * the socket carries the same bytes, and the load generator spends less of the shared cores.
 */
export function subscribe(
  base: string,
  cookie: string,
  roomId: string,
  onEvent?: (event: RoomEventData) => void,
): Stream {
  const path = `/api/trpc/room.events?input=${encodeURIComponent(JSON.stringify({ json: { roomId } }))}`;
  let buffer = "";
  let opened!: () => void;
  const firstEvent = new Promise<void>((resolve) => (opened = resolve));
  const stream = openStreamingGet(
    base,
    path,
    { cookie, accept: "text/event-stream", "user-agent": DESKTOP_UA },
    (chunk) => {
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        // Control blocks (connected, ping, return, serialized-error) start with their name;
        // room events with their id.
        if (block.startsWith("event:")) continue;
        opened();
        const data = onEvent ? block.indexOf("data: ") : -1;
        if (data < 0) continue;
        const parsed = JSON.parse(block.slice(data + 6)) as { json?: RoomEventData };
        if (parsed.json?.type) onEvent!(parsed.json);
      }
    },
  );
  return { opened: stream.answered.then(() => firstEvent), close: stream.close };
}

const CHAT_ENTRY = '"type":"chat"';

/**
 * Subscribes to `chat.events`, the account's list as it changes, which every signed-in tab holds
 * open. `onChatEntry` is called for each changed entry it carries (a send changes both people's);
 * nothing is decoded. Opened once the server has answered.
 */
export function subscribeChatEvents(base: string, cookie: string, onChatEntry?: () => void): Stream {
  const path = `/api/trpc/chat.events?input=${encodeURIComponent(JSON.stringify({ json: {} }))}`;
  // The tail of the previous piece, so an entry split across two reads still counts once.
  let tail = "";
  const stream = openStreamingGet(
    base,
    path,
    { cookie, accept: "text/event-stream", "user-agent": DESKTOP_UA },
    (chunk) => {
      if (!onChatEntry) return;
      const text = tail + chunk;
      for (let at = text.indexOf(CHAT_ENTRY); at >= 0; at = text.indexOf(CHAT_ENTRY, at + CHAT_ENTRY.length))
        onChatEntry();
      // Keep less than one marker: whatever of it the next read may complete, never a whole one.
      tail = text.slice(-(CHAT_ENTRY.length - 1));
    },
  );
  return { opened: stream.answered, close: stream.close };
}
