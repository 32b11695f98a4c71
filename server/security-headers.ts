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
 * A strict policy for documents: only this origin's scripts plus the nonce'd inline ones, no
 * framing, no Referer (a room link must never leak to another site), HSTS when served for real.
 */
export function securityHeaders({ production }: { production: boolean }): NodeMiddleware {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        "default-src": ["'self'"],
        "script-src": [
          "'self'",
          (_req, res) => `'nonce-${(res as unknown as { locals: { cspNonce: string } }).locals.cspNonce}'`,
        ],
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
    strictTransportSecurity: production ? HSTS : false,
    crossOriginEmbedderPolicy: false,
    xFrameOptions: { action: "deny" },
  });
}

const HSTS = { maxAge: 63_072_000, includeSubDomains: true };

/**
 * The API's answers (JSON and event streams) are never documents: a policy that lets them load
 * nothing and be framed by no one, no sniffing, no Referer, same-origin reads only, HSTS. The
 * headers that only a document acts on (COOP, Origin-Agent-Cluster, DNS prefetch, IE's download
 * and XSS-filter switches, Flash's cross-domain policies) are left off: OWASP's REST set plus
 * CORP and Referrer-Policy. They were half of every answer's head, kept for each event stream's
 * life (decision 033).
 */
export function apiSecurityHeaders({ production }: { production: boolean }): NodeMiddleware {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { "default-src": ["'none'"], "frame-ancestors": ["'none'"] },
    },
    crossOriginEmbedderPolicy: false,
    crossOriginOpenerPolicy: false,
    crossOriginResourcePolicy: { policy: "same-origin" },
    originAgentCluster: false,
    referrerPolicy: { policy: "no-referrer" },
    strictTransportSecurity: production ? HSTS : false,
    xContentTypeOptions: true,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xFrameOptions: { action: "deny" },
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
  });
}

/**
 * The API's headers (`apiSecurityHeaders`), read from helmet once and set as a fixed list: they
 * are the same for every answer, and running helmet's middleware functions on every send and
 * receipt was part of the hot lane's 9.6 % of a message's CPU (bench/README.md). Helmet stays
 * the one source of the values.
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
  apiSecurityHeaders({ production })(
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
