import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { waitFor } from "../tests/support/wait-for";
import { ShutdownCoordinator } from "./graceful-shutdown";

/** A server whose every response is tracked: event streams stay open, other requests answer at once. */
async function trackedServer() {
  const coordinator = new ShutdownCoordinator();
  const server = http.createServer((req, res) =>
    coordinator.track(req, res, () => {
      if ((req.headers.accept ?? "").includes("text/event-stream")) {
        res.writeHead(200, { "Content-Type": "text/event-stream" });
        res.write("event: connected\ndata: \n\n");
      } else res.end("{}");
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const openStream = async () => {
    const controller = new AbortController();
    const response = await fetch(url, { headers: { accept: "text/event-stream" }, signal: controller.signal });
    const reader = response.body!.getReader();
    await reader.read();
    return { reader, close: () => controller.abort() };
  };
  return { coordinator, server, url, openStream };
}

describe("ShutdownCoordinator", () => {
  it("counts the event streams open now: a closed one is forgotten, a plain request never counts", async () => {
    const { coordinator, server, url, openStream } = await trackedServer();
    const [first, second] = [await openStream(), await openStream()];
    expect(await (await fetch(url)).text()).toBe("{}");
    expect(coordinator.openStreams).toBe(2);
    first.close();
    await waitFor(() => coordinator.openStreams === 1, { what: "the closed stream to be forgotten" });

    // Shutting down cuts the stream still open and has no request in flight to wait for.
    const started = Date.now();
    await coordinator.shutdown(server, { drainMs: 5_000, closeStore: async () => {} });
    expect(Date.now() - started).toBeLessThan(1_000);
    await waitFor(() => coordinator.openStreams === 0, { what: "the cut stream to be forgotten" });
    // Cut, not ended: its client reconnects elsewhere and resumes from its last event id.
    await expect(second.reader.read()).rejects.toThrow("terminated");
  });
});
