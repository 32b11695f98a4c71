import { createServer } from "node:net";

/**
 * Ports this process has handed out. The test setup starts Redis, a Redis Cluster and PostgreSQL
 * at once; between a port being found free and its server binding it, another search could find
 * it free too (PostgreSQL once took a cluster node's port, and the run failed to start).
 */
const handedOut = new Set<number>();

function probePort(port = 0): Promise<number | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.on("error", () => resolve(null));
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(address && typeof address === "object" ? address.port : null));
    });
  });
}

/** A TCP port that was free a moment ago on the loopback interface, never one handed out before. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await probePort();
    if (port === null) throw new Error("no free port");
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
}

/** Whether a given port is free now and not handed out: for ports derived from another (a cluster's bus port). */
export async function isPortFree(port: number): Promise<boolean> {
  if (port > 65_535 || handedOut.has(port)) return false;
  return (await probePort(port)) === port;
}

/** Claims a port found free by `isPortFree`, so no later search hands it out. */
export function claimPort(port: number): void {
  handedOut.add(port);
}
