import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { NodeMiddleware } from "./node-middleware";

/** EventSource asks for an event stream; tRPC answers those with its SSE response. */
const isEventStream = (req: IncomingMessage) => (req.headers.accept ?? "").includes("text/event-stream");

/** A `close` listener that drops the response it is called on (Node's `this`) from `sets`. */
function forgetFrom(...sets: Array<Set<ServerResponse>>) {
  return function (this: ServerResponse) {
    for (const set of sets) set.delete(this);
  };
}

/**
 * Knows which responses are open, so a shutdown can cut event streams at once (their clients
 * reconnect, through the load balancer, to another instance and resume from their last event id)
 * while ordinary requests in flight get a moment to finish.
 */
export class ShutdownCoordinator {
  private readonly streams = new Set<ServerResponse>();
  private readonly inflight = new Set<ServerResponse>();
  stopping = false;

  readonly track: NodeMiddleware = (req, res, next) => {
    (isEventStream(req) ? this.streams : this.inflight).add(res);
    // One listener for every response, not a closure per request (kept for an event stream's life).
    res.on("close", this.forget);
    if (this.stopping) res.setHeader("Connection", "close");
    next();
  };

  /** Every response's `close` listener. */
  private readonly forget = forgetFrom(this.streams, this.inflight);

  get openStreams(): number {
    return this.streams.size;
  }

  async shutdown(server: Server, { drainMs, closeStore }: { drainMs: number; closeStore: () => Promise<void> }) {
    this.stopping = true;
    server.close();
    server.closeIdleConnections();
    for (const res of this.streams) res.destroy();
    const deadline = Date.now() + drainMs;
    while (this.inflight.size > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    server.closeAllConnections();
    await closeStore();
  }
}
