import http, { type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { bodyTarget, letGoOfHead, writeLastingHead } from "./lasting-head";

interface NodeInternals {
  _header: unknown;
}

/** A response that stays open as an event stream does; `serve` writes its start. */
async function openResponse(serve: (res: ServerResponse) => void) {
  let held: ServerResponse | undefined;
  const server = http.createServer((_req, res) => {
    res.setHeader("X-Request-Id", "request-1");
    res.setHeader("X-Frame-Options", "DENY");
    serve(res);
    held = res;
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const controller = new AbortController();
  const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, {
    signal: controller.signal,
  });
  const reader = response.body!.getReader();
  const first = new TextDecoder().decode((await reader.read()).value);
  return {
    response,
    first,
    res: held!,
    close: async () => {
      controller.abort();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe("an event stream's lasting head", () => {
  it("is written whole, then held as a stand-in: Node still knows it was sent", async () => {
    const stream = await openResponse((res) => {
      writeLastingHead(res, { "Content-Type": "text/event-stream", Connection: "close" });
      res.write("event: connected\n\n");
      letGoOfHead(res);
    });
    try {
      expect(stream.response.headers.get("x-request-id")).toBe("request-1");
      expect(stream.response.headers.get("x-frame-options")).toBe("DENY");
      expect(stream.response.headers.get("content-type")).toBe("text/event-stream");
      expect(stream.first).toBe("event: connected\n\n");
      // The head's text is not kept for the stream's life, the header table neither.
      expect((stream.res as unknown as NodeInternals)._header).toBe("\r\n");
      expect(stream.res.getHeaderNames()).toEqual([]);
      expect(stream.res.headersSent).toBe(true);
      expect(() => stream.res.writeHead(200)).toThrow(/headers/i);
    } finally {
      await stream.close();
    }
  });

  it("keeps a head that has not been written yet", async () => {
    let before: unknown;
    const stream = await openResponse((res) => {
      res.writeHead(200, { "Content-Type": "text/event-stream" });
      letGoOfHead(res);
      before = (res as unknown as NodeInternals)._header;
      res.write("event: connected\n\n");
    });
    try {
      expect(String(before)).toContain("X-Request-Id: request-1");
      expect(stream.response.headers.get("x-request-id")).toBe("request-1");
      expect(stream.first).toBe("event: connected\n\n");
    } finally {
      await stream.close();
    }
  });

  it("takes a raw body's events straight to the connection, in order after the head", async () => {
    let target: unknown;
    const stream = await openResponse((res) => {
      res.useChunkedEncodingByDefault = false;
      res.cork();
      writeLastingHead(res, { "Content-Type": "text/event-stream", Connection: "close" });
      res.write("event: connected\n\n");
      const body = bodyTarget(res);
      target = body;
      body.write("data: 1\n\n");
      body.write("data: 2\n\n");
      res.uncork();
    });
    try {
      expect(target).toBe(stream.res.socket);
      expect(stream.response.headers.get("content-type")).toBe("text/event-stream");
      expect(stream.first).toBe("event: connected\n\ndata: 1\n\ndata: 2\n\n");
    } finally {
      await stream.close();
    }
  });

  it("leaves a chunked body, and one whose head is not out, to the response's own framing", async () => {
    const targets: unknown[] = [];
    const stream = await openResponse((res) => {
      res.writeHead(200, { "Content-Type": "text/event-stream" });
      targets.push(bodyTarget(res));
      res.write("event: connected\n\n");
      targets.push(bodyTarget(res));
    });
    try {
      expect(targets).toEqual([stream.res, stream.res]);
      expect(stream.first).toBe("event: connected\n\n");
    } finally {
      await stream.close();
    }
  });
});
