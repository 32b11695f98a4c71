import type { IncomingMessage, ServerResponse } from "node:http";

/** Express-compatible middleware on plain Node types, so it can also run without Express. */
export type NodeMiddleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

/** Runs middleware in order, then `last`; the first error (thrown or passed on) goes to `onError`. */
export function runChain(
  chain: readonly NodeMiddleware[],
  req: IncomingMessage,
  res: ServerResponse,
  last: () => void,
  onError: (error: unknown) => void,
): void {
  const step = (index: number) => (error?: unknown) => {
    if (error !== undefined) return onError(error);
    const middleware = chain[index];
    try {
      if (middleware) middleware(req, res, step(index + 1));
      else last();
    } catch (thrown) {
      onError(thrown);
    }
  };
  step(0)();
}
