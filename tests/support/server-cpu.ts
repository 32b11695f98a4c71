import { inject } from "vitest";
import { TEST_SECRET } from "./app";
import { startAppServer, type AppServer } from "./app-server";
import { metricValue } from "./metric-value";

/** What a server under test needs for `ServerCpu`: metrics on, behind this token. */
export const CPU_METRICS_TOKEN = "cpu-metrics-token-0123456789";

/**
 * The CPU a running server spends, read from its own `process.cpuUsage()` (prom-client's
 * `process_cpu_seconds_total` at /metrics, in microseconds), so a test can hold one request to a
 * CPU budget whatever the machine's load does to wall-clock time. Start the server with
 * `METRICS_TOKEN: CPU_METRICS_TOKEN`.
 */
export class ServerCpu {
  /** What one scrape costs the server, taken out of every measurement. */
  private scrapeMs = 0;

  constructor(private readonly server: AppServer) {}

  async totalMs(): Promise<number> {
    const response = await fetch(`${this.server.url}/metrics`, {
      headers: { authorization: `Bearer ${CPU_METRICS_TOKEN}` },
    });
    if (!response.ok) throw new Error(`/metrics answered ${response.status}: start the server with METRICS_TOKEN`);
    return metricValue(await response.text(), "ephemera_process_cpu_seconds_total") * 1000;
  }

  /** Measures the scrape itself: the median of a few back-to-back pairs. */
  async calibrate(): Promise<void> {
    const costs: number[] = [];
    for (let index = 0; index < 7; index += 1) {
      const before = await this.totalMs();
      costs.push((await this.totalMs()) - before);
    }
    this.scrapeMs = costs.sort((a, b) => a - b)[3]!;
  }

  /**
   * The least CPU `work` cost in up to `tries` runs, stopping at the first within `budgetMs`: a
   * request that really costs too much does so every time, while a collection or a compilation
   * that happens to land in one measurement does not recur.
   */
  async cheapest<T>(tries: number, budgetMs: number, work: () => Promise<T>): Promise<{ result: T; cpuMs: number }> {
    let best = await this.during(work);
    for (let attempt = 1; attempt < tries && best.cpuMs >= budgetMs; attempt += 1) {
      const next = await this.during(work);
      if (next.cpuMs < best.cpuMs) best = next;
    }
    return best;
  }

  /** The server's CPU, in ms, while `work` ran (and the client read its answer). */
  async during<T>(work: () => Promise<T>): Promise<{ result: T; cpuMs: number }> {
    const before = await this.totalMs();
    const result = await work();
    const cpuMs = (await this.totalMs()) - before - this.scrapeMs;
    return { result, cpuMs };
  }
}

/** The production server on the suite's Redis, with its CPU measurable (and the scrape calibrated). */
export async function startMeasuredServer(
  env: Record<string, string> = {},
): Promise<{ server: AppServer; cpu: ServerCpu }> {
  const server = await startAppServer({
    REDIS_URL: inject("redisUrl"),
    SESSION_SECRET: TEST_SECRET,
    METRICS_TOKEN: CPU_METRICS_TOKEN,
    ...env,
  });
  const cpu = new ServerCpu(server);
  await cpu.calibrate();
  return { server, cpu };
}

/**
 * Ordinary reads whose input carries a superjson annotation (an optional field left undefined),
 * `count` of them, ten at a time. superjson's recursion on a hostile meta grew from a few ms on
 * a cold process to hundreds of ms once its code had run this often: a cost budget only means
 * something on a server that has served some traffic.
 */
export async function serveOrdinaryReads(
  server: AppServer,
  cookie: string,
  roomId: string,
  count = 1000,
): Promise<void> {
  const input = encodeURIComponent(
    JSON.stringify({ json: { roomId, after: null }, meta: { values: { after: ["undefined"] }, v: 1 } }),
  );
  for (let sent = 0; sent < count; sent += 10) {
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        fetch(`${server.url}/api/trpc/room.ttl?input=${input}`, { headers: { cookie } }),
      ),
    );
    for (const answer of answers) {
      await answer.text();
      if (answer.status !== 200) throw new Error(`an ordinary read answered ${answer.status}`);
    }
  }
}
