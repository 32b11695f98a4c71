import { Router } from "express";

/**
 * `/healthz`: the process is alive and serving. `/readyz`: it can also reach its stores (Redis
 * PING, and the accounts database when there is one), so a load balancer stops sending it people
 * it could not serve.
 */
export function healthRoutes({
  checkStore,
  timeoutMs = 2000,
}: {
  checkStore: () => Promise<string>;
  timeoutMs?: number;
}) {
  const router = Router();
  router.get("/healthz", (_req, res) => {
    res.setHeader("Cache-Control", "no-store");
    res.json({ status: "ok" });
  });
  router.get("/readyz", async (_req, res) => {
    res.setHeader("Cache-Control", "no-store");
    try {
      const store = await Promise.race([
        checkStore(),
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error("store check timed out")), timeoutMs).unref(),
        ),
      ]);
      res.json({ status: "ready", store });
    } catch (error) {
      res
        .status(503)
        .json({ status: "unavailable", reason: error instanceof Error ? error.message : "store unreachable" });
    }
  });
  return router;
}
