import { createServer, request, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A minimal HTTP load balancer for tests: each new request goes to the first backend still in
 * rotation, responses (event streams included) are piped through as they arrive. Taking a backend
 * out of rotation is what Fly or Render do when an instance starts draining.
 */
export async function startLoadBalancer(backends: string[]) {
  const inRotation = new Set(backends);
  const server = createServer((req, res) => {
    const target = backends.find((backend) => inRotation.has(backend));
    if (!target) {
      res.writeHead(502).end();
      return;
    }
    const { hostname, port } = new URL(target);
    const upstream = request(
      { hostname, port, method: req.method, path: req.url, headers: req.headers },
      (response: IncomingMessage) => {
        res.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(res);
        response.on("error", () => res.destroy());
      },
    );
    upstream.on("error", () => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
    res.on("close", () => upstream.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    remove: (backend: string) => inRotation.delete(backend),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
