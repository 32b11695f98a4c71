import type { IncomingMessage, ServerResponse } from "node:http";
import { TRPCError } from "@trpc/server";
import {
  getErrorShape,
  getTRPCErrorFromUnknown,
  isObject,
  isTrackedEnvelope,
  sseHeaders,
} from "@trpc/server/unstable-core-do-not-import";
import { logger } from "../logger";
import type { Context } from "../trpc/context";
import { trpcHandlerOptions } from "./handler-options";
import { createCaller } from "../trpc/root";
import { SSE_OPTIONS } from "../trpc/trpc";
import { readWireInput } from "./wire-input";
import { wireJson } from "./wire-json";
import { bodyTarget, letGoOfHead, writeLastingHead } from "./lasting-head";
import { PingWheel } from "./ping-wheel";
import { type EventSink, PushedEvents } from "../pushed-events";

/** A stream whose reader has stopped reading is cut rather than buffered without bound. */
const MAX_BUFFERED_BYTES = 1 << 20;
const CONNECTED = `event: connected\ndata: ${JSON.stringify(SSE_OPTIONS.client)}\n\n`;
const PING = "event: ping\ndata: \n\n";
/** Every stream's keep-alive pings, from one timer. */
const pings = new PingWheel<LeanStream>((stream) => stream.write(PING), SSE_OPTIONS.ping.intervalMs);
const RETURN = "event: return\ndata: \n\n";
/** One reason for every stream whose reader left: not a DOMException, and its stack, per stream. */
const READER_LEFT = new Error("the reader closed the stream");

/**
 * The subscriptions a page holds open for as long as it is open, each a tab's worth of server
 * memory: a room's (or direct chat's) events, and a signed-in account's chat list.
 */
const LEAN_STREAMS = {
  "room.events": (caller: Caller, input: unknown) => caller.room.events(input as never),
  "chat.events": (caller: Caller, input: unknown) => caller.chat.events(input as never),
};
type Caller = ReturnType<typeof createCaller>;
export type LeanStreamPath = keyof typeof LEAN_STREAMS;

/** Whether `path` is one of the streams served here. */
export const isLeanStream = (path: string): path is LeanStreamPath => Object.hasOwn(LEAN_STREAMS, path);

/**
 * `room.events` (and `chat.events`) over server-sent events, written straight to the Node
 * response: one string and one write per event. tRPC's own producer passes every event through nested async generators,
 * two TransformStreams and a TextEncoderStream, and writes it in three or four pieces; at two
 * streams per room that dominated the server's cost (bench/README.md).
 *
 * It speaks exactly the wire format `httpSubscriptionLink` reads (connected, id + data, ping,
 * return, serialized-error) and calls the procedure through the router, so input validation,
 * membership, error shapes and `lastEventId` resumption are tRPC's own. `npm run dev` serves it
 * too (server/dev-api.ts), so tRPC's own producer answers these streams nowhere: the server suites
 * and the browser suites hold this writer, and only it, to the protocol of tRPC's client. On
 * tRPC's producer an account's `chat.events` cost 76–89 KB a tab (bench/README.md).
 */
export async function serveRoomEvents(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: Context,
  path: LeanStreamPath = "room.events",
): Promise<void> {
  const controller = new AbortController();
  res.on("close", () => controller.abort(READER_LEFT));
  // The head and `connected` wait for the first event (the room's state, one Redis round trip
  // later): the stream opens in one write and one packet instead of two.
  res.cork();
  // The body ends when the connection does (as in HTTP/1.0), not with chunked framing: a stream
  // never ends otherwise, its client reconnects on a new connection anyway, and each event is
  // then one plain write instead of four framed pieces (about a tenth of the server's CPU per
  // message at 800/s, bench/README.md).
  res.useChunkedEncodingByDefault = false;
  // Nothing has run yet that could have set a cookie, and nothing later can send one.
  ctx.responseCookies.takeForHead("an event stream's headers are written before its procedure runs");
  writeLastingHead(res, { ...sseHeaders, Connection: "close" });
  res.write(CONNECTED);
  letGoOfHead(res);

  let input: unknown;
  let events: Promise<unknown>;
  try {
    input = readInput(req);
    events = LEAN_STREAMS[path](createCaller(ctx, { signal: controller.signal }), input);
  } catch (cause) {
    events = Promise.reject(cause);
  }
  const stream = new LeanStream(res, controller.signal, path, input);
  // A room's stream starts with the room's state; an account's may have nothing to say for hours,
  // and its head must not wait for the first ping.
  if (path !== "room.events") stream.release();
  pings.add(stream);
  // The request's context stays here: the stream keeps only what it writes with. This function
  // returns at once, and nothing waits on the stream for its life: a room's events are pushed to
  // it, one call each (`PushedEvents`); anything else is iterated by `pump`.
  events
    .then(
      (value) => {
        if (value instanceof PushedEvents) value.pipe(stream);
        else return pump(value as AsyncIterable<unknown>, stream);
      },
      (error: unknown) => stream.fail(error),
    )
    .catch(streamFailed);
}

/** Past its head a stream has no request left to answer: what breaks in its ending is logged. */
function streamFailed(error: unknown): void {
  logger.error({ err: { message: error instanceof Error ? error.message : String(error) } }, "event stream failed");
}

/** Writes the procedure's events until it ends, fails or the reader leaves. */
async function pump(events: AsyncIterable<unknown>, stream: LeanStream): Promise<void> {
  try {
    for await (const event of events) stream.event(event);
  } catch (cause) {
    return stream.fail(cause);
  }
  stream.end();
}

/**
 * One open event stream's writer: each event one string and one write, then `return` or the
 * error's shape, then the response's end. One object per stream, its steps on the prototype.
 */
class LeanStream implements EventSink<unknown> {
  /** Corked until the first event's turn is over: the head and the room's state go in one write. */
  private held = true;
  private done = false;
  /** Where events are written: the connection itself once the head is out (`bodyTarget`). */
  private readonly body: ReturnType<typeof bodyTarget>;

  constructor(
    private readonly res: ServerResponse,
    private readonly signal: AbortSignal,
    private readonly path: LeanStreamPath,
    private readonly input: unknown,
  ) {
    this.body = bodyTarget(res);
  }

  event(event: unknown): void {
    if (isTrackedEnvelope(event)) this.write(`id: ${event[0]}\ndata: ${wireJson(event[1])}\n\n`);
    else this.write(`data: ${wireJson(event)}\n\n`);
  }

  end(): void {
    this.write(RETURN);
    this.close();
  }

  fail(cause: unknown): void {
    if (!this.signal.aborted) {
      const error = getTRPCErrorFromUnknown(cause);
      trpcHandlerOptions.onError({ error, path: this.path, type: "subscription" });
      // The error formatter (trpc.ts) reads no context, and the stream holds none.
      const shape = getErrorShape({
        config: trpcHandlerOptions.router._def._config,
        error,
        type: "subscription",
        path: this.path,
        input: this.input,
        ctx: undefined,
      });
      this.write(`event: serialized-error\ndata: ${wireJson(shape)}\n\n`);
    }
    this.close();
  }

  write(chunk: string): void {
    const { body } = this;
    // Events already on their way when the reader left: Node would make an error object for each.
    if (body.destroyed) return;
    if (!body.write(chunk) && body.writableLength > MAX_BUFFERED_BYTES) this.res.destroy();
    // Whatever else this turn writes (the rest of the room's state) goes in the same write.
    if (this.held) process.nextTick(releaseStream, this);
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    this.res.uncork();
  }

  private close(): void {
    if (this.done) return;
    this.done = true;
    pings.remove(this);
    this.release();
    this.res.end();
  }
}

function releaseStream(stream: LeanStream): void {
  stream.release();
}

/** The subscription's input as tRPC reads it: `?input=` (superjson), plus `Last-Event-ID`. */
function readInput(req: IncomingMessage): unknown {
  const url = new URL(req.url ?? "/", "http://localhost");
  const raw = url.searchParams.get("input");
  let parsed: unknown;
  try {
    parsed = raw === null ? undefined : JSON.parse(raw);
  } catch (cause) {
    throw new TRPCError({ code: "BAD_REQUEST", message: "input: could not be parsed", cause });
  }
  let input = raw === null ? undefined : readWireInput(parsed);
  const header = req.headers["last-event-id"];
  const lastEventId =
    (Array.isArray(header) ? header[0] : header) ??
    url.searchParams.get("lastEventId") ??
    url.searchParams.get("Last-Event-Id");
  if (lastEventId) input = isObject(input) ? { ...input, lastEventId } : { lastEventId };
  return input;
}
