import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { requestLog } from "./request-log";

/** A server whose every request passes the request log at `level`; what it writes, parsed. */
async function loggedServer(level: string) {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  const log = requestLog(logger);
  const listeners: number[] = [];
  const server = createServer((req, res) =>
    log(req, res, () => {
      listeners.push(res.listenerCount("close"));
      res.end("ok");
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { server, url, lines, listeners };
}

/** A poll with a deadline: the line is written when the response closes, after the client has it. */
async function until(check: () => boolean) {
  const deadline = Date.now() + 2000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setImmediate(resolve));
  }
}

let server: Server | undefined;
afterEach(() => {
  server?.close();
  server = undefined;
});

describe("requestLog", () => {
  it("writes one line per request, its room id shortened, and echoes the request id", async () => {
    const logged = await loggedServer("info");
    server = logged.server;
    const response = await fetch(`${logged.url}/room/abcdefghijklmnopqrstu?x=1`, {
      headers: { "x-request-id": "trace-1" },
    });
    expect(response.headers.get("x-request-id")).toBe("trace-1");
    await until(() => logged.lines.length === 1);
    expect(logged.lines[0]).toMatchObject({ msg: "request", reqId: "trace-1", method: "GET", status: 200 });
    expect(logged.lines[0]!.path).toBe("/room/abcd…");
    expect(typeof logged.lines[0]!.ms).toBe("number");
  });

  it("at warn costs a request only its id: no line, no close listener", async () => {
    const quiet = await loggedServer("warn");
    server = quiet.server;
    const response = await fetch(`${quiet.url}/room/abcdefghijklmnopqrstu`);
    expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const loud = await loggedServer("info");
    try {
      await fetch(`${loud.url}/room/abcdefghijklmnopqrstu`);
      await until(() => loud.lines.length === 1);
      // The logging server's response had one more close listener than the quiet one's.
      expect(loud.listeners[0]! - quiet.listeners[0]!).toBe(1);
    } finally {
      loud.server.close();
    }
    expect(quiet.lines).toEqual([]);
  });
});
