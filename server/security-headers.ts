import { nanoid } from "nanoid";
import type { RequestHandler } from "express";
import helmet from "helmet";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { NodeMiddleware } from "./node-middleware";

declare module "express-serve-static-core" {
  interface Locals {
    cspNonce: string;
  }
}

/**
 * A fresh 132-bit nonce per response, for the inline scripts Remix renders (and nothing else).
 * base64url, which CSP accepts; from nanoid's pooled CSPRNG buffer, as the room tokens are.
 */
export const cspNonce: RequestHandler = (_req, res, next) => {
  res.locals.cspNonce = nanoid(22);
  next();
};

/**
 * A strict policy: only this origin's scripts plus the nonce'd inline ones, no framing, no
 * Referer (a room link must never leak to another site), HSTS when served for real.
 */
export function securityHeaders({ production, nonce }: { production: boolean; nonce: boolean }): NodeMiddleware {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        "default-src": ["'self'"],
        // API answers are never documents: no inline script at all, so no nonce to make.
        "script-src": nonce
          ? ["'self'", (_req, res) => `'nonce-${(res as unknown as { locals: { cspNonce: string } }).locals.cspNonce}'`]
          : ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
      },
    },
    referrerPolicy: { policy: "no-referrer" },
    strictTransportSecurity: production ? { maxAge: 63_072_000, includeSubDomains: true } : false,
    crossOriginEmbedderPolicy: false,
    xFrameOptions: { action: "deny" },
  });
}

/**
 * The API's headers (`securityHeaders` without a nonce), read from helmet once and set as a fixed
 * list: without a nonce they are the same for every answer, and running helmet's dozen middleware
 * functions on every send and receipt was part of the hot lane's 9.6 % of a message's CPU
 * (bench/README.md). Helmet stays the one source of the values.
 */
export function fixedSecurityHeaders(production: boolean): NodeMiddleware {
  const set: Array<[string, string]> = [];
  const removed: string[] = [];
  const recorder = {
    setHeader: (name: string, value: unknown) => void set.push([name, String(value)]),
    removeHeader: (name: string) => void removed.push(name),
    getHeader: () => undefined,
    locals: {},
  };
  let done = false;
  securityHeaders({ production, nonce: false })(
    {} as IncomingMessage,
    recorder as unknown as ServerResponse,
    (error?: unknown) => {
      if (error !== undefined) throw error;
      done = true;
    },
  );
  // Helmet finishes synchronously; were a later version not to, the list would be incomplete.
  if (!done) throw new Error("helmet did not finish synchronously: its headers cannot be fixed");
  return (_req, res, next) => {
    for (const [name, value] of set) res.setHeader(name, value);
    for (const name of removed) res.removeHeader(name);
    next();
  };
}
