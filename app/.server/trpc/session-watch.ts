import { hashSessionToken } from "../accounts/session-tokens";
import type { Context } from "./context";

/** A session watch under way: `signal` aborts when the session or the request ends; `stop` ends it sooner. */
export interface SessionWatch {
  signal: AbortSignal;
  stop: () => void;
}

/**
 * A stream held by a signed-in account (its chat list, a direct chat) must not outlive the session
 * that opened it: signed out, revoked from another browser, ended by a password change, or the
 * account deleted. The session is looked up again every `ctx.services.sessionRecheckMs`; the
 * watch's signal aborts when it is gone, or when the request's signal does. A lookup that fails
 * (the database unreachable) keeps the stream: the next one decides.
 *
 * Returns what starts the watch, to call with the request's signal once the stream is sure to run
 * (a stream refused for having too many open must not leave a timer behind), and to stop when the
 * stream ends however it ends. It keeps the services and the session's hash, never the request's
 * context.
 */
export function sessionWatch(ctx: Context): (signal: AbortSignal) => SessionWatch {
  const token = ctx.sessionToken();
  const hash = token === null ? null : hashSessionToken(token);
  // The services, not the request's context: a stream may keep this for hours.
  const { accounts, sessionRecheckMs } = ctx.services;
  return (signal) => {
    const ended = new AbortController();
    const stop = () => ended.abort();
    if (hash === null) {
      stop();
      return { signal: ended.signal, stop };
    }
    const timer = setInterval(() => {
      accounts.findSession(hash, new Date()).then(
        (session) => {
          if (session === null) stop();
        },
        () => {},
      );
    }, sessionRecheckMs);
    timer.unref();
    if (signal.aborted) stop();
    else signal.addEventListener("abort", stop, { once: true });
    ended.signal.addEventListener("abort", () => {
      clearInterval(timer);
      signal.removeEventListener("abort", stop);
    });
    return { signal: ended.signal, stop };
  };
}
