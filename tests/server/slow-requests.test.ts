import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RoomEvent } from "~/shared/room-events";
import { startAppServer, type AppServer } from "../support/app-server";
import { opaque } from "../support/opaque";
import { Visitor } from "../support/visitor";
import { waitFor } from "../support/wait-for";

const REQUEST_TIMEOUT_MS = 2000;

/** A raw connection that records what the server answered and when it hung up. */
function rawConnection(port: number) {
  const socket: Socket = connect(port, "127.0.0.1");
  const state = { answer: "", closedAt: 0 };
  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => (state.answer += chunk));
  // The server hanging up mid-write is what the test is about, not an error.
  socket.on("error", () => {});
  socket.on("close", () => (state.closedAt = Date.now()));
  /** Writes `piece` every `everyMs` until the server hangs up. */
  const trickle = (piece: string, everyMs: number) => {
    const timer = setInterval(() => (socket.destroyed ? clearInterval(timer) : socket.write(piece)), everyMs);
    socket.on("close", () => clearInterval(timer));
  };
  return { socket, state, trickle };
}

describe("request timeouts that fit a chat", () => {
  let server: AppServer;
  beforeAll(async () => {
    server = await startAppServer({
      REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      HEADERS_TIMEOUT_MS: "1000",
      KEEP_ALIVE_TIMEOUT_MS: "1000",
    });
  });
  afterAll(() => server?.stop());

  it("cuts a slow body and a slow head within seconds, while an idle event stream stays open", async () => {
    const alice = new Visitor(server.url);
    const { roomId } = await alice.trpc.room.create.mutate({});
    await alice.open(`/room/${roomId}`);
    const events: RoomEvent[] = [];
    const errors: unknown[] = [];
    let lastEventAt = Date.now();
    const stream = alice.trpc.room.events.subscribe(
      { roomId },
      {
        onData: ({ data }) => {
          events.push(data);
          lastEventAt = Date.now();
        },
        onError: (error) => errors.push(error),
      },
    );
    await waitFor(() => events.some((event) => event.type === "members"), { what: "the stream to go live" });

    const startedAt = Date.now();
    const slowBody = rawConnection(server.port);
    slowBody.socket.write(
      `POST /api/trpc/message.send HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n{`,
    );
    slowBody.trickle(" ", 100);
    const slowHead = rawConnection(server.port);
    slowHead.socket.write("GET / HTTP/1.1\r\n");
    slowHead.trickle("X-Slow: 1\r\n", 100);

    await waitFor(() => slowBody.state.closedAt && slowHead.state.closedAt, {
      timeoutMs: 15_000,
      what: "both slow senders cut off",
    });
    // Node's defaults (five minutes for a request, one for a head) held them for minutes.
    expect(slowBody.state.closedAt - startedAt).toBeLessThan(REQUEST_TIMEOUT_MS + 2500);
    expect(slowHead.state.closedAt - startedAt).toBeLessThan(REQUEST_TIMEOUT_MS + 2500);
    expect(slowBody.state.answer).toMatch(/^HTTP\/1\.1 408 /);
    // A request cut off mid-body is the client's doing: nothing for the error log.
    expect(server.output()).not.toMatch(/"level":(50|60)/);

    // The stream has now said nothing (pings are 15 s apart) for longer than a request may take.
    await waitFor(() => Date.now() - lastEventAt > REQUEST_TIMEOUT_MS + 500, {
      timeoutMs: 10_000,
      what: "the stream to idle",
    });
    await alice.trpc.message.send.mutate({ roomId, ciphertext: opaque("still live"), clientId: "a-live" });
    await waitFor(() => events.some((event) => event.type === "message"), { what: "the message on the idle stream" });
    stream.unsubscribe();
    expect(errors).toEqual([]);
  });

  it("closes an idle keep-alive connection after KEEP_ALIVE_TIMEOUT_MS", async () => {
    const idle = rawConnection(server.port);
    idle.socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    await waitFor(() => idle.state.answer.includes("\r\n\r\n"), { what: "the health answer" });
    const answeredAt = Date.now();
    expect(idle.state.answer).toMatch(/^HTTP\/1\.1 200 /);
    await waitFor(() => idle.state.closedAt, { timeoutMs: 10_000, what: "the idle connection closed" });
    // Node's default is five seconds.
    expect(idle.state.closedAt - answeredAt).toBeLessThan(3000);
  });
});
