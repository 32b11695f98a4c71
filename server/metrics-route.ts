import { timingSafeEqual } from "node:crypto";
import type { RequestHandler } from "express";
import type { MetricsSource } from "./cluster-metrics";

/**
 * `/metrics` for Prometheus. Without a token configured it does not exist (404); with one, a
 * scrape must present it as a bearer token.
 */
export function metricsRoute(source: MetricsSource, token: string | undefined): RequestHandler {
  const expected = token ? Buffer.from(`Bearer ${token}`) : null;
  return async (req, res, next) => {
    if (req.path !== "/metrics" || req.method !== "GET") return next();
    if (!expected) return next();
    const presented = Buffer.from(req.get("authorization") ?? "");
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
      res.setHeader("WWW-Authenticate", 'Bearer realm="metrics"');
      res.status(401).json({ error: "A valid metrics token is required" });
      return;
    }
    res.setHeader("Cache-Control", "no-store");
    let text: string;
    try {
      text = await source.metrics();
    } catch {
      // A worker that could not gather its siblings' figures: a scrape gap, not a server error.
      res.status(503).json({ error: "Metrics are unavailable right now" });
      return;
    }
    res.setHeader("Content-Type", source.contentType);
    res.end(text);
  };
}
