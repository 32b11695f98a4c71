import { TRPCError, tracked, type TrackedEnvelope } from "@trpc/server";
import { z } from "zod";
import { KEY_CHECK_PATTERN } from "~/shared/sealed-formats";
import { PUBLIC_KEYS_MAX_LENGTH, SEALED_NAME_MAX_LENGTH, TTL_MAX_SECONDS, TTL_MIN_SECONDS } from "~/shared/limits";
import { logger, roomTag } from "../../logger";
import { countExpiry, metrics } from "../../metrics";
import { RoomEventFeed, type RoomStreamEvent } from "../../rooms/room-event-stream";
import { type EventFeed, type EventSink, PushedEvents } from "../../pushed-events";
import type { RoomEvent } from "~/shared/room-events";
import { newRoomId } from "../../room-token";
import type { Context } from "../context";
import { sessionWatch, type SessionWatch } from "../session-watch";
import { toRoomEvent } from "../to-client";
import { clientIdSchema } from "./message";
import {
  memberIdFor,
  memberProcedure,
  publicProcedure,
  roomNotFound,
  router,
  sealedSchema,
  sendSignal,
  signalProcedure,
} from "../trpc";

/** A browser's public keys as it serialised them: opaque, but from a small alphabet. */
const publicKeysSchema = z
  .string({ error: "must be public keys" })
  .max(PUBLIC_KEYS_MAX_LENGTH, { error: `must be at most ${PUBLIC_KEYS_MAX_LENGTH} characters` })
  .regex(/^[\w.~-]+$/, { error: "must hold only letters, digits, '.', '~', '-' and '_'" });

const ttlSecondsSchema = z
  .number({ error: `must be a whole number of seconds from ${TTL_MIN_SECONDS} to ${TTL_MAX_SECONDS}` })
  .int({ error: "must be a whole number of seconds" })
  .min(TTL_MIN_SECONDS, { error: `must be at least ${TTL_MIN_SECONDS} seconds` })
  .max(TTL_MAX_SECONDS, { error: `must be at most ${TTL_MAX_SECONDS} seconds (24 hours)` });

/** Derived from the room key by the creator's browser (see key-check.ts): opaque, fixed length. */
const keyCheckSchema = z
  .string({ error: "must be the room key's check: 22 base64url characters" })
  .regex(KEY_CHECK_PATTERN, { error: "must be 22 base64url characters (letters, digits, '-' and '_')" });

/** Event ids are decimal strings of the per-room sequence. */
const lastEventIdSchema = z
  .string()
  .regex(/^\d{1,15}$/, { error: "must be an event id from this room" })
  .nullish();

/** A direct chat (a seat held by an account) is not a room one destroys or leaves. */
const notForDirectChats = (why: string) =>
  new TRPCError({ code: "BAD_REQUEST", message: `roomId: a chat between accounts ${why}` });

export const roomRouter = router({
  create: publicProcedure
    .input(z.object({ ttlSeconds: ttlSecondsSchema.optional(), keyCheck: keyCheckSchema.optional() }).optional())
    .mutation(async ({ ctx, input }) => {
      await ctx.services.limits.consumeOrThrow("createRoom", ctx.clientKey);
      const ttlSeconds = input?.ttlSeconds ?? ctx.services.defaultTtlSeconds;
      const roomId = newRoomId();
      await ctx.services.store.createRoom(roomId, ttlSeconds * 1000, input?.keyCheck);
      metrics.roomsCreated.inc();
      logger.info({ room: roomTag(roomId), ttlSeconds }, "room created");
      return { roomId };
    }),

  ttl: memberProcedure.query(async ({ ctx }) => {
    await ctx.services.limits.consumeOrThrow("read", ctx.clientKey);
    return { ttl: Math.max(0, Math.ceil(ctx.member.ttlMs / 1000)), ttlMs: ctx.member.ttlMs };
  }),

  destroy: memberProcedure.mutation(async ({ ctx, input }) => {
    if (ctx.member.accountId !== null) throw notForDirectChats("is cleared with Clear chat, not destroyed");
    const destroyed = await ctx.services.store.destroy(input.roomId);
    if (!destroyed) throw roomNotFound();
    metrics.roomsDestroyed.inc();
    logger.info({ room: roomTag(input.roomId) }, "room destroyed");
    return { ok: true as const };
  }),

  /** Best effort and frequent (about once a second while typing): no log line, no metric. */
  typing: signalProcedure
    .input(
      z
        .object({
          typing: z.boolean({ error: "must be true or false" }),
          name: sealedSchema(SEALED_NAME_MAX_LENGTH).optional(),
          // The clientId the typed message will be sent with: a signal that arrives after it is dropped.
          draft: clientIdSchema.optional(),
        })
        .refine((input) => !input.typing || input.name !== undefined, {
          error: "must be given (sealed) when typing",
          path: ["name"],
        }),
    )
    .mutation(
      // The name is sealed by the typist's browser: relayed as it is, never read.
      sendSignal(({ ctx, roomId, seat, input }) =>
        ctx.services.store.setTyping(
          roomId,
          seat,
          input.typing && input.name ? { name: input.name, draft: input.draft } : null,
        ),
      ),
    ),

  /**
   * A stranger chat's key agreement: the caller's public keys, relayed to the partner's stream
   * (now and whenever they open the room). The server sees public keys only, never the room key.
   */
  publishKeys: signalProcedure
    .input(z.object({ publicKeys: publicKeysSchema }))
    .mutation(
      sendSignal(({ ctx, roomId, seat, input }) => ctx.services.store.publishKeys(roomId, seat, input.publicKeys)),
    ),

  /**
   * The name the caller goes by in a private room, sealed by their browser with the room key: kept
   * for the seat (a partner who opens the room later is told) and relayed to the partner's stream
   * at once. Sent on arrival and on each rename; the server never reads it. Stranger chats share
   * no names and direct chats go by usernames: their browsers never send one.
   */
  setName: signalProcedure
    .input(z.object({ name: sealedSchema(SEALED_NAME_MAX_LENGTH) }))
    .mutation(async ({ ctx, input }) => {
      if (!ctx.member) return { ok: false };
      if (ctx.member.accountId !== null) throw notForDirectChats("goes by the accounts' usernames");
      const { seat } = ctx.member;
      // Its own budget as well as the signals': each name is a line in the partner's log.
      await ctx.services.limits.consumeOrThrow("setName", `${input.roomId}:${seat}`);
      await ctx.services.limits.consumeOrThrow("signal", `${input.roomId}:${seat}`);
      return { ok: await ctx.services.store.setName(input.roomId, seat, input.name) };
    }),

  /**
   * Gives up the caller's seat: the partner is told, and the link admits one new person, who reads
   * nothing sent before they arrive. `unread`: this visit could read nothing (no key, or the wrong
   * one), so the seat goes back as it was, and the person the link was meant for reads it all.
   */
  leave: memberProcedure
    .input(z.object({ unread: z.boolean({ error: "must be true or false" }).optional() }))
    .mutation(async ({ ctx, input }) => {
      if (ctx.member.accountId !== null) throw notForDirectChats("has no seat to give up");
      const left = await ctx.services.store.leave(input.roomId, await memberIdFor(ctx, input.roomId), {
        unread: input.unread,
      });
      if (left === "match") {
        throw new TRPCError({
          code: "BAD_REQUEST",
          message: "roomId: a chat with a stranger ends with Skip or End chat",
        });
      }
      if (left === "not-member") throw roomNotFound();
      logger.info({ room: roomTag(input.roomId) }, "member left");
      return { ok: true as const };
    }),

  events: memberProcedure.input(z.object({ lastEventId: lastEventIdSchema })).subscription(({ ctx, input, signal }) =>
    // The stream is handed what it uses, not the request: it lives as long as the tab, and keeps
    // what it was given (tRPC's call, the context) for good.
    roomEvents({
      store: ctx.services.store,
      streams: ctx.services.streams,
      clientKey: ctx.clientKey,
      roomId: input.roomId,
      seat: ctx.member.seat,
      afterId: input.lastEventId ? Number(input.lastEventId) : 0,
      ttlMs: ctx.member.ttlMs,
      // tRPC always passes a signal to subscriptions; the fallback only satisfies the type.
      signal: signal ?? new AbortController().signal,
      // A direct chat's seat is its account's: the stream ends with the session.
      watchSession: ctx.member.accountId === null ? null : sessionWatch(ctx),
    }),
  ),
});

interface RoomStreamDeps {
  store: Context["services"]["store"];
  streams: Context["services"]["streams"];
  clientKey: string;
  roomId: string;
  seat: number;
  afterId: number;
  ttlMs: number;
  signal: AbortSignal;
  /** Starts the session watch (a direct chat's): called once the stream has its slot. */
  watchSession: ((signal: AbortSignal) => SessionWatch) | null;
}

/**
 * The member's events as the client reads them. The slot is taken when the procedure is called
 * and given back however the stream ends (the event-stream writer always starts it).
 */
async function roomEvents(deps: RoomStreamDeps): Promise<PushedEvents<TrackedEnvelope<RoomEvent>>> {
  const { store, streams, clientKey, roomId, seat, afterId, ttlMs, signal, watchSession } = deps;
  // First: a stream refused for having too many open holds nothing, reads nothing and watches nothing.
  const releaseSlot = await streams.open({ roomId, seat }, clientKey);
  const watch = watchSession?.(signal);
  metrics.openEventStreams.inc();
  const feed = new RoomEventFeed(store, { roomId, seat, afterId, ttlMs, signal: watch?.signal ?? signal });
  return new PushedEvents(new ClientRoomEvents(feed, roomId, seat, watch, releaseSlot));
}

/**
 * A room stream's events as its client reads them, each tracked by its id; when the stream ends,
 * however it ends, its slot is given back and its session watch stopped. One object per open
 * stream, its steps on the prototype: it lives as long as its tab.
 */
class ClientRoomEvents implements EventFeed<TrackedEnvelope<RoomEvent>>, EventSink<RoomStreamEvent> {
  private sink: EventSink<TrackedEnvelope<RoomEvent>> | undefined;

  constructor(
    private readonly feed: RoomEventFeed,
    private readonly roomId: string,
    private readonly seat: number,
    private readonly watch: SessionWatch | undefined,
    private readonly releaseSlot: () => void,
  ) {}

  start(sink: EventSink<TrackedEnvelope<RoomEvent>>): void {
    this.sink = sink;
    this.feed.start(this);
  }

  stop(): void {
    this.feed.stop();
  }

  event(event: RoomStreamEvent): void {
    if (event.type === "message" && event.live) {
      metrics.sendToDeliver.observe(Math.max(0, Date.now() - event.message.timestamp) / 1000);
    }
    if (event.type === "expired" && this.seat === 1) countExpiry(this.roomId);
    this.sink!.event(tracked(String(event.id), toRoomEvent(event, this.seat)));
  }

  end(): void {
    this.release();
    this.sink!.end();
  }

  fail(error: unknown): void {
    this.release();
    this.sink!.fail(error);
  }

  private release(): void {
    // The watch ends with the stream, however the stream ends.
    this.watch?.stop();
    metrics.openEventStreams.dec();
    this.releaseSlot();
  }
}
