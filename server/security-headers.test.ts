import http, { type OutgoingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import type { NodeMiddleware } from "./node-middleware";
import { apiSecurityHeaders, fixedSecurityHeaders } from "./security-headers";

/** The headers a real response carries after `middleware`, as a client receives them. */
async function headersAfter(middleware: NodeMiddleware): Promise<OutgoingHttpHeaders> {
  const server = http.createServer((req, res) => {
    // As Express would have said it, so that removing it shows.
    res.setHeader("X-Powered-By", "Express");
    middleware(req, res, () => res.end("{}"));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/api/trpc/x`);
    const headers = Object.fromEntries(response.headers);
    delete headers.date;
    return headers;
  } finally {
    server.close();
  }
}

/** What only a document acts on: left off answers that are never documents (decision 033). */
const DOCUMENT_ONLY = [
  "cross-origin-opener-policy",
  "origin-agent-cluster",
  "x-dns-prefetch-control",
  "x-download-options",
  "x-permitted-cross-domain-policies",
  "x-xss-protection",
];

describe("the API's fixed security headers", () => {
  for (const production of [true, false]) {
    it(`are exactly helmet's API set, read once (${production ? "production" : "development"})`, async () => {
      const fixed = await headersAfter(fixedSecurityHeaders(production));
      expect(fixed).toEqual(await headersAfter(apiSecurityHeaders({ production })));
      // An answer loads nothing and is framed by no one, whatever a browser takes it for.
      expect(fixed["content-security-policy"]).toBe("default-src 'none';frame-ancestors 'none'");
      expect(fixed["x-content-type-options"]).toBe("nosniff");
      expect(fixed["x-frame-options"]).toBe("DENY");
      expect(fixed["cross-origin-resource-policy"]).toBe("same-origin");
      expect(fixed["referrer-policy"]).toBe("no-referrer");
      expect(fixed["x-powered-by"]).toBeUndefined();
      expect(fixed["strict-transport-security"] !== undefined).toBe(production);
      for (const name of DOCUMENT_ONLY) expect(fixed[name], name).toBeUndefined();
    });
  }
});
