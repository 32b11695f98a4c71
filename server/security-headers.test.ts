import http, { type OutgoingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import type { NodeMiddleware } from "./node-middleware";
import { fixedSecurityHeaders, securityHeaders } from "./security-headers";

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

describe("the API's fixed security headers", () => {
  for (const production of [true, false]) {
    it(`are exactly helmet's, read once (${production ? "production" : "development"})`, async () => {
      const fixed = await headersAfter(fixedSecurityHeaders(production));
      expect(fixed).toEqual(await headersAfter(securityHeaders({ production, nonce: false })));
      expect(fixed["content-security-policy"]).toContain("frame-ancestors 'none'");
      expect(fixed["x-content-type-options"]).toBe("nosniff");
      expect(fixed["x-powered-by"]).toBeUndefined();
      expect(fixed["strict-transport-security"] !== undefined).toBe(production);
    });
  }
});
