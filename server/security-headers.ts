import { nanoid } from "nanoid";
import type { RequestHandler } from "express";
import helmet from "helmet";
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
