import { initTRPC, TRPCError } from "@trpc/server";
import { z } from "zod";
import { env } from "../env";
import { ROOM_ID_PATTERN } from "../room-token";
import type { Context } from "./context";
import { RateLimitedError } from "../rate-limits";
import { StoreUnavailableError, unavailableMessage } from "../store-errors";
import { SEALED_MIN_LENGTH } from "~/shared/limits";
import { describeValidationError } from "./errors";
import { HashingBusyError } from "../accounts/hash-gate";
import { wireTransformer } from "../transport/wire-input";

/**
 * Pings keep proxies (Fly, Render) from closing a quiet stream; a client that hears nothing for
 * longer than the reconnect window assumes the connection died and resumes elsewhere. Shared with
 * the event-stream writer (../transport/room-events-sse.ts).
 */
export const SSE_OPTIONS = {
  ping: { enabled: true, intervalMs: 15_000 },
  client: { reconnectAfterInactivityMs: 40_000 },
};

const t = initTRPC.context<Context>().create({
  transformer: wireTransformer,
  isDev: env.NODE_ENV !== "production",
  errorFormatter({ shape, error }) {
    if (error.cause instanceof RateLimitedError) {
      return { ...shape, data: { ...shape.data, retryAfterSeconds: error.cause.retryAfterSeconds } };
    }
    const validation = error.code === "BAD_REQUEST" ? describeValidationError(error.cause) : null;
    if (!validation) return shape;
    return { ...shape, data: { ...shape.data, fields: validation.fields } };
  },
  sse: SSE_OPTIONS,
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
/**
 * Every procedure's input failures read as one sentence naming the fields, wherever the error
 * surfaces (HTTP response, server-side callers, logs), not as zod's JSON dump of issues.
 */
export const publicProcedure = t.procedure.use(async ({ next }) => {
  const result = await next();
  if (result.ok) return result;
  if (result.error.code === "BAD_REQUEST") {
    const validation = describeValidationError(result.error.cause);
    if (validation) result.error.message = validation.message;
  }
  // More sign-ins than argon2id can keep up with (accounts/passwords.ts): retry shortly.
  if (result.error.cause instanceof HashingBusyError) {
    return {
      ...result,
      error: new TRPCError({
        code: "SERVICE_UNAVAILABLE",
        message: "Too many sign-ins right now. Try again in a moment.",
        cause: result.error.cause,
      }),
    };
  }
  // An unreachable (or full) store is a temporary condition the client can retry, not a server bug.
  if (result.error.cause instanceof StoreUnavailableError) {
    return {
      ...result,
      error: new TRPCError({
        code: "SERVICE_UNAVAILABLE",
        message: unavailableMessage(result.error.cause),
        cause: result.error.cause,
      }),
    };
  }
  return result;
});

export const roomIdSchema = z
  .string({ error: "must be a room id" })
  .regex(ROOM_ID_PATTERN, { error: "must be a 21-character room id" });

/** Something sealed in a browser (base64url of IV, ciphertext and tag): opaque to the server. */
export function sealedSchema(maxLength: number) {
  return z
    .string({ error: "must be sealed text (base64url)" })
    .min(SEALED_MIN_LENGTH, { error: `must be at least ${SEALED_MIN_LENGTH} characters: it is not sealed` })
    .max(maxLength, { error: `must be at most ${maxLength} characters` })
    .regex(/^[\w-]+$/, { error: "must be base64url (letters, digits, '-' and '_')" });
}

/** Who holds a seat: the member id the store knows, and the account when it came from one. */
export interface SeatHolder {
  memberId: string;
  /** Set when the seat is the signed-in account's (a direct chat), not a room cookie's. */
  accountId: string | null;
}

/**
 * The caller's member id for a room: from the room's cookie, or else, for a signed-in caller, their
 * account's seat id in it (a direct chat is a room seated by account). "" for neither, which no
 * room has as a member. The account is looked up only without a cookie: room traffic pays nothing.
 */
export async function seatHolderFor(ctx: Context, roomId: string): Promise<SeatHolder> {
  const memberId = await ctx.roomMemberId(roomId);
  if (memberId) return { memberId, accountId: null };
  const signedIn = ctx.sessionToken() === null ? null : await ctx.signedIn();
  if (!signedIn) return { memberId: "", accountId: null };
  const { id } = signedIn.account;
  return { memberId: ctx.services.directChats.chatIds.memberIdFor(roomId, id), accountId: id };
}

export async function memberIdFor(ctx: Context, roomId: string): Promise<string> {
  return (await seatHolderFor(ctx, roomId)).memberId;
}

export const roomNotFound = () =>
  new TRPCError({ code: "NOT_FOUND", message: "This room does not exist or has ended" });
/** A direct chat where either person blocked the other: the sender learns no more than this. */
export const cannotMessage = () => new TRPCError({ code: "FORBIDDEN", message: "You can't message this person" });
export const notAMember = () => new TRPCError({ code: "UNAUTHORIZED", message: "You are not a member of this room" });

/** Anything addressed to one room; membership is the procedure's own business. */
export const roomProcedure = publicProcedure.input(z.object({ roomId: roomIdSchema }));

/**
 * For everything inside a room: the room must exist (NOT_FOUND) and the caller's cookie token must
 * hold one of its seats (UNAUTHORIZED). Adds the caller's seat and the room's remaining lifetime.
 */
export const memberProcedure = roomProcedure.use(async ({ ctx, input, next }) => {
  const holder = await seatHolderFor(ctx, input.roomId);
  const status = await ctx.services.store.memberStatus(input.roomId, holder.memberId);
  if (status.status === "not-found") throw roomNotFound();
  if (status.status === "not-member") throw notAMember();
  return next({ ctx: { member: { seat: status.seat, ttlMs: status.ttlMs, accountId: holder.accountId } } });
});

/**
 * Typing, receipts and public keys: best effort, and often in flight when a room ends. For a room
 * that is gone they answer `{ ok: false }` rather than an error (`member` is null), so a browser
 * racing the end of a room logs nothing; anyone without a seat is still refused. Their resolver
 * is `sendSignal`'s.
 */
export const signalProcedure = roomProcedure.use(async ({ ctx, input, next }) => {
  const holder = await seatHolderFor(ctx, input.roomId);
  const status = await ctx.services.store.memberStatus(input.roomId, holder.memberId);
  if (status.status === "not-member") throw notAMember();
  return next({
    ctx: {
      member:
        status.status === "member" ? { seat: status.seat, ttlMs: status.ttlMs, accountId: holder.accountId } : null,
    },
  });
});

/** What a signal is given: the room, the caller's seat and the signal's own validated input. */
export interface Signal<Input> {
  ctx: Context;
  roomId: string;
  seat: number;
  /** The signed-in account whose seat it is (a direct chat), or null (a room cookie's). */
  accountId: string | null;
  input: Input;
}

/**
 * The resolver of a `signalProcedure`: `{ ok: false }` for a room that is gone, else the seat's
 * `signal` limit is consumed and `send` runs (false when the room went in the meantime).
 */
export function sendSignal<Input extends { roomId: string }>(send: (signal: Signal<Input>) => Promise<boolean>) {
  return async ({
    ctx,
    input,
  }: {
    ctx: Context & { member: { seat: number; accountId: string | null } | null };
    input: Input;
  }): Promise<{ ok: boolean }> => {
    if (!ctx.member) return { ok: false };
    await ctx.services.limits.consumeOrThrow("signal", `${input.roomId}:${ctx.member.seat}`);
    const { seat, accountId } = ctx.member;
    return { ok: await send({ ctx, roomId: input.roomId, seat, accountId, input }) };
  };
}

/**
 * For everything about one's own account: a live session (the session cookie, on every path the
 * server has) or UNAUTHORIZED. Adds the account and the session the request came with.
 */
export const accountProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const signedIn = await ctx.signedIn();
  if (!signedIn) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in first" });
  return next({ ctx: { account: signedIn.account, session: signedIn.session } });
});
