import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { freePort } from "./free-port";
import { waitFor } from "./wait-for";

export interface TestRedis {
  url: string;
  port: number;
  /** The redis-server process, for signals: SIGSTOP stalls it (every command waits), SIGCONT resumes. */
  pid: number;
  stop(): Promise<void>;
}

/**
 * A private `redis-server` on a free port, persisting nothing, so tests neither depend on nor
 * pollute the machine's own Redis.
 */
export async function startRedisServer({
  port: fixedPort,
  args = [],
}: { port?: number; args?: string[] } = {}): Promise<TestRedis> {
  const port = fixedPort ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), "ephemera-redis-"));
  const child: ChildProcess = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, ...args],
    { stdio: "ignore" },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.once("error", (error) => {
    throw new Error(`redis-server could not start (is it installed and on PATH?): ${error.message}`);
  });

  const url = `redis://127.0.0.1:${port}`;
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on("error", () => {});
  await waitFor(
    async () => {
      if (probe.status !== "ready") await probe.connect();
      return (await probe.ping()) === "PONG";
    },
    { timeoutMs: 10_000, what: `redis-server on port ${port}` },
  );
  probe.disconnect();

  return {
    url,
    port,
    pid: child.pid!,
    async stop() {
      child.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
