import cluster, { type Worker } from "node:cluster";
import { AggregatorRegistry, Registry, collectDefaultMetrics } from "prom-client";
import { CollectionRounds } from "./collection-rounds";

/** What `/metrics` reads: a registry, or, in a worker, the whole instance through its primary. */
export interface MetricsSource {
  readonly contentType: string;
  metrics(): Promise<string>;
}

type WorkerMetrics = Awaited<ReturnType<Registry["getMetricsAsJSON"]>>;

/** Primary → worker: send me your metrics. Worker → primary: here they are. */
const COLLECT = "ephemera:collect-metrics";
const COLLECTED = "ephemera:collected-metrics";
/** Worker → primary: a scrape arrived, answer it for the instance. Primary → worker: the answer. */
const SCRAPE = "ephemera:scrape";
const SCRAPED = "ephemera:scraped";

const TIMEOUT_MS = 5000;

interface Message {
  type: string;
  id: number;
  metrics?: WorkerMetrics;
  text?: string;
  error?: string;
}

const isMessage = (value: unknown, type: string): value is Message =>
  typeof value === "object" && value !== null && (value as { type?: unknown }).type === type;

/**
 * A scrape lands on whichever worker accepted its connection, so a worker answers it with the
 * whole instance's figures, gathered by the primary: one scrape, one instance, whatever the number
 * of workers. The worker also answers the primary's requests for its own registry.
 */
export function workerMetrics(registry: Registry): MetricsSource {
  const waiting = new Map<number, { resolve: (text: string) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  process.on("message", (message: unknown) => {
    if (isMessage(message, COLLECT)) {
      registry.getMetricsAsJSON().then(
        (metrics) => process.send?.({ type: COLLECTED, id: message.id, metrics }),
        (error: unknown) => process.send?.({ type: COLLECTED, id: message.id, error: String(error) }),
      );
    } else if (isMessage(message, SCRAPED)) {
      const scrape = waiting.get(message.id);
      waiting.delete(message.id);
      if (message.error !== undefined) scrape?.reject(new Error(message.error));
      else scrape?.resolve(message.text ?? "");
    }
  });
  return {
    contentType: registry.contentType,
    metrics: () =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new Error("the primary did not answer for the instance's metrics"));
        }, TIMEOUT_MS);
        waiting.set(id, {
          resolve: (text) => (clearTimeout(timer), resolve(text)),
          reject: (error) => (clearTimeout(timer), reject(error)),
        });
        process.send?.({ type: SCRAPE, id });
      }),
  };
}

/**
 * In the primary: answers workers' scrapes with every worker's metrics and the primary's own
 * (it accepts every connection, so its CPU is the instance's too), combined by prom-client's
 * aggregators: counters and memory summed, event-loop lag averaged.
 */
export function servePrimaryMetrics(): void {
  const own = new Registry();
  collectDefaultMetrics({ register: own, prefix: "ephemera_" });
  const rounds = new CollectionRounds<WorkerMetrics>(TIMEOUT_MS);
  // A worker that dies mid-scrape will never answer: the scrape goes on without it.
  cluster.on("exit", (worker) => rounds.workerExited(worker.id));

  const collect = () => {
    const workers = Object.values(cluster.workers ?? {}).filter(
      (worker): worker is Worker => worker?.isConnected() === true,
    );
    const round = rounds.start(workers.map((worker) => worker.id));
    for (const worker of workers) worker.send({ type: COLLECT, id: round.id });
    return round.parts;
  };

  cluster.on("message", (worker, message: unknown) => {
    if (isMessage(message, COLLECTED)) {
      if (message.error !== undefined) rounds.fail(message.id, new Error(message.error));
      else rounds.answer(message.id, worker.id, message.metrics ?? []);
    } else if (isMessage(message, SCRAPE)) {
      Promise.all([own.getMetricsAsJSON(), collect()])
        .then(([primary, workers]) => AggregatorRegistry.aggregate([primary, ...workers]).metrics())
        .then(
          (text) => worker.send({ type: SCRAPED, id: message.id, text }),
          (error: unknown) => worker.send({ type: SCRAPED, id: message.id, error: String(error) }),
        );
    }
  });
}
