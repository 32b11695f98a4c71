/**
 * A separate load process that opens HOLD_ROOMS rooms on HOLD_BASE, each with both members'
 * event streams, reports `{"opened":N}` (or `{"error":…}`) on stdout, and holds the streams
 * until its stdin closes. `idle` runs several: each open stream costs a socket here as well as
 * in the server, and one process may hold only `ulimit -n` of them.
 */
import { closeSharedConnections, createRoom, subscribe, visit, type Stream } from "./client";

const base = process.env.HOLD_BASE ?? "";
const rooms = Number(process.env.HOLD_ROOMS ?? 0);
const BATCH = 50;

const streams: Stream[] = [];
try {
  for (let start = 0; start < rooms; start += BATCH) {
    await Promise.all(
      Array.from({ length: Math.min(BATCH, rooms - start) }, async () => {
        const roomId = await createRoom(base);
        const [a, b] = [await visit(base, roomId), await visit(base, roomId)];
        const pair = [subscribe(base, a, roomId), subscribe(base, b, roomId)];
        await Promise.all(pair.map((stream) => stream.opened));
        streams.push(...pair);
      }),
    );
  }
  await closeSharedConnections();
  process.stdout.write(`${JSON.stringify({ opened: streams.length })}\n`);
} catch (error) {
  process.stdout.write(`${JSON.stringify({ error: String(error).slice(0, 300), opened: streams.length })}\n`);
}
process.stdin.resume();
process.stdin.on("end", () => {
  streams.forEach((stream) => stream.close());
  process.exit(0);
});
