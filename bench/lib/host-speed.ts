import { createHmac } from "node:crypto";
import { once } from "node:events";
import net from "node:net";
import { performance } from "node:perf_hooks";

const ITERATIONS = 10_000;

/**
 * A fixed piece of work shaped like the server's per-request work (JSON both ways, an HMAC, a
 * regex, short-lived objects), timed on this host right before each scenario. Hosts differ:
 * much the same build took 429–434 µs of server CPU per message at 1,000/s on an AMD EPYC host
 * and 565–606 µs on a 2 GHz Xeon (bench/README.md). With this figure beside the results, runs on
 * different hosts can be compared by their ratio. Microseconds per iteration, the median of five
 * rounds: lower is faster.
 */
export function hostReferenceMicros(): number {
  const message = {
    id: 1234,
    type: "message",
    message: {
      ciphertext: "x".repeat(198),
      clientId: "V1StGXR8_Z5jdHi6B-myT",
      author: 1,
      createdAt: 1_763_780_000_000,
    },
    live: true,
  };
  const round = () => {
    let sink = 0;
    const started = performance.now();
    for (let i = 0; i < ITERATIONS; i += 1) {
      const text = JSON.stringify({ ...message, id: i });
      const parsed = JSON.parse(text) as typeof message;
      sink += parsed.id + createHmac("sha256", "bench-reference-key").update(text).digest("base64url").length;
      sink += /^[\w-]{21}$/.test(parsed.message.clientId) ? 1 : 0;
    }
    if (sink < 0) throw new Error("unreachable");
    return ((performance.now() - started) * 1000) / ITERATIONS;
  };
  round();
  round(); // compiled and settled before it is timed
  return medianOfFive(Array.from({ length: 5 }, round));
}

/** The middle of five timed rounds, to hundredths: one slow or fast round does not move it. */
function medianOfFive(rounds: number[]): number {
  const sorted = [...rounds].sort((a, b) => a - b);
  return Math.round(sorted[2]! * 100) / 100;
}

const ROUND_TRIPS = 2_000;

/**
 * What a small write costs this host's kernel: microseconds per round trip of a 64-byte message
 * over a loopback TCP connection (two writes, two reads and their wake-ups), the median of five
 * rounds. `hostReferenceMicros` times plain computation only, and it read much the same on two
 * hosts where the same build spent 200 and over 300 µs of server CPU per message: a message is
 * mostly socket writes and reads, which this figure times.
 */
export async function hostLoopbackMicros(): Promise<number> {
  const server = net.createServer((socket) => socket.on("data", (chunk) => socket.write(chunk)));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  const client = net.connect(port, "127.0.0.1");
  client.setNoDelay(true);
  await once(client, "connect");
  const payload = Buffer.alloc(64, 1);
  const round = () =>
    new Promise<number>((resolve) => {
      let left = ROUND_TRIPS;
      const started = performance.now();
      const onData = () => {
        left -= 1;
        if (left > 0) return void client.write(payload);
        client.off("data", onData);
        resolve(((performance.now() - started) * 1000) / ROUND_TRIPS);
      };
      client.on("data", onData);
      client.write(payload);
    });
  try {
    await round(); // connection and code warmed before anything is timed
    const rounds: number[] = [];
    for (let index = 0; index < 5; index += 1) rounds.push(await round());
    return medianOfFive(rounds);
  } finally {
    client.destroy();
    server.close();
  }
}
