import cluster, { type Worker } from "node:cluster";
import type { Logger } from "pino";
import { servePrimaryMetrics } from "./cluster-metrics";

export interface PrimaryOptions {
  workers: number;
  /** Each worker drains within this; the primary waits a little longer, then kills. */
  shutdownTimeoutMs: number;
  logger: Logger;
}

/** A worker that keeps dying this often (per minute, per worker) is not a fluke: stop. */
const CRASHES_PER_WORKER_PER_MINUTE = 2;

/**
 * The primary of a multi-worker instance (decision 015). It renders nothing: it accepts
 * connections and hands them to its workers in turn (node:cluster's round robin), replaces a
 * worker that dies, answers scrapes for the whole instance, and on SIGTERM lets every worker
 * drain as a single-process server would, then exits.
 */
export function runPrimary({ workers, shutdownTimeoutMs, logger }: PrimaryOptions): void {
  const live = new Set<Worker>();
  const crashes: number[] = [];
  let stopping = false;
  let exitCode = 0;

  const fork = () => {
    const worker = cluster.fork();
    live.add(worker);
  };

  const finish = () => {
    if (exitCode === 0) logger.info("shut down cleanly");
    else logger.warn({ exitCode }, "shut down");
    process.exit(exitCode);
  };

  const stop = (reason: string, code = 0) => {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    logger.info({ reason, workers: live.size }, "shutting down");
    for (const worker of live) worker.process.kill("SIGTERM");
    const forceExit = setTimeout(() => {
      logger.warn("workers took too long to shut down; exiting");
      for (const worker of live) worker.process.kill("SIGKILL");
      process.exit(1);
    }, shutdownTimeoutMs + 1000);
    forceExit.unref();
    if (live.size === 0) finish();
  };

  cluster.on("exit", (worker, code, signal) => {
    live.delete(worker);
    if (stopping) {
      if (code !== 0) exitCode = 1;
      if (live.size === 0) finish();
      return;
    }
    const now = Date.now();
    crashes.push(now);
    while (crashes[0]! < now - 60_000) crashes.shift();
    if (crashes.length > workers * CRASHES_PER_WORKER_PER_MINUTE) {
      logger.fatal({ pid: worker.process.pid, code, signal }, "workers keep exiting; stopping");
      stop("workers keep exiting", 1);
      return;
    }
    logger.error({ pid: worker.process.pid, code, signal }, "worker exited; starting another");
    fork();
  });

  servePrimaryMetrics();
  for (let index = 0; index < workers; index += 1) fork();
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
}
