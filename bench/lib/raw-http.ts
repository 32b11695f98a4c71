import net from "node:net";

/**
 * HTTP/1.1 on bare sockets for the load generator's per-message work: a tab's mutations and its
 * event stream. The requests carry the same bytes a browser's do (client.ts builds them); what
 * is skipped is undici's and node:http's machinery on the load side. The load process shares the
 * machine's two cores with the server it measures, so what it spends per message is taken from
 * the server (bench/README.md).
 */

interface RawReply {
  status: number;
  body: Buffer;
}

const HEADER_END = Buffer.from("\r\n\r\n");
/** Under the server's five-second keep-alive: a connection idle this long is replaced before use, never raced against the server closing it. */
const IDLE_REUSE_MS = 4000;

function requestHead(method: string, url: URL, headers: Record<string, string>): string {
  let head = `${method} ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${url.host}\r\n`;
  for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
  return head;
}

interface Pending {
  request: Buffer;
  resolve(reply: RawReply): void;
  reject(error: Error): void;
}

/**
 * A browser tab's kept-alive connection: one request at a time, later ones queued, as Chrome
 * uses a connection. Answers must carry a `Content-Length` (every tRPC answer does).
 */
export class TabConnection {
  readonly #url: URL;
  #socket: net.Socket | undefined;
  #lastUsed = 0;
  #buffer: Buffer = Buffer.alloc(0);
  readonly #queue: Pending[] = [];
  #inFlight: Pending | undefined;

  constructor(base: string) {
    this.#url = new URL(base);
  }

  post(path: string, headers: Record<string, string>, body: string): Promise<RawReply> {
    const payload = Buffer.from(body);
    const head = `${requestHead("POST", new URL(path, this.#url), headers)}content-length: ${payload.length}\r\n\r\n`;
    return new Promise((resolve, reject) => {
      this.#queue.push({ request: Buffer.concat([Buffer.from(head, "latin1"), payload]), resolve, reject });
      this.#next();
    });
  }

  close(): void {
    const socket = this.#socket;
    this.#socket = undefined;
    socket?.destroy();
  }

  #next(): void {
    if (this.#inFlight || this.#queue.length === 0) return;
    const pending = this.#queue.shift()!;
    this.#inFlight = pending;
    if (this.#socket && performance.now() - this.#lastUsed > IDLE_REUSE_MS) this.close();
    (this.#socket ??= this.#connect()).write(pending.request);
  }

  #connect(): net.Socket {
    const socket = net.connect({ host: this.#url.hostname, port: Number(this.#url.port), noDelay: true });
    this.#buffer = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => this.#receive(chunk));
    const fail = (error?: Error) => {
      // A socket closed here (replaced after idling) ends quietly: what is in flight now went
      // out on its successor, and its answer comes there.
      if (this.#socket !== socket) return;
      this.#socket = undefined;
      const pending = this.#inFlight;
      this.#inFlight = undefined;
      pending?.reject(error ?? new Error("connection closed before the answer"));
      this.#next();
    };
    socket.on("error", fail);
    socket.on("close", () => fail());
    return socket;
  }

  #receive(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const headerEnd = this.#buffer.indexOf(HEADER_END);
    if (headerEnd < 0) return;
    const head = this.#buffer.toString("latin1", 0, headerEnd);
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    if (!length) {
      this.#inFlight?.reject(new Error(`an answer without a content-length: ${head.slice(0, 200)}`));
      this.#inFlight = undefined;
      this.close();
      return;
    }
    const bodyStart = headerEnd + HEADER_END.length;
    const bodyEnd = bodyStart + Number(length[1]);
    if (this.#buffer.length < bodyEnd) return;
    const reply = { status: Number(head.slice(9, 12)), body: this.#buffer.subarray(bodyStart, bodyEnd) };
    this.#buffer = this.#buffer.subarray(bodyEnd);
    this.#lastUsed = performance.now();
    const pending = this.#inFlight!;
    this.#inFlight = undefined;
    pending.resolve(reply);
    this.#next();
  }
}

/**
 * A GET whose answer is an event stream that lasts as long as its connection (the server frames
 * `room.events` by the connection, not in chunks). `onText` gets the body as it arrives, headers
 * stripped. `answered` rejects on any status but 200.
 */
export function openStreamingGet(
  base: string,
  path: string,
  headers: Record<string, string>,
  onText: (text: string) => void,
) {
  const url = new URL(path, base);
  const socket = net.connect({ host: url.hostname, port: Number(url.port), noDelay: true });
  const answered = new Promise<void>((resolve, reject) => {
    socket.setEncoding("utf8");
    let head = "";
    let inBody = false;
    socket.on("data", (text: string) => {
      if (inBody) return onText(text);
      head += text;
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      const status = head.slice(9, 12);
      if (status !== "200") {
        socket.destroy();
        return reject(new Error(`${url.pathname}: ${status}`));
      }
      inBody = true;
      resolve();
      const rest = head.slice(end + 4);
      if (rest) onText(rest);
    });
    socket.on("error", reject);
    socket.on("close", () => reject(new Error(`${url.pathname}: closed before it answered`)));
    socket.write(`${requestHead("GET", url, headers)}\r\n`);
  });
  return { answered, close: () => socket.destroy() };
}
