import { performance } from "node:perf_hooks";
import {
  acknowledge,
  createRoom,
  openBenchMessage,
  send,
  subscribe,
  tabConnection,
  visit,
  type Stream,
} from "./client";
import type { TabConnection } from "./raw-http";
import { latencyHistogram, summarize, type Histogram } from "./stats";

/** One side of a room as its browser tab holds it: the seat's cookie and the tab's connection. */
interface Tab {
  base: string;
  cookie: string;
  connection: TabConnection;
}

interface Pair {
  roomId: string;
  sender: Tab;
  receiver: Tab;
}

/**
 * The browser's receipt sender: a 150 ms coalescing window, one request in flight per reader,
 * later ids coalesced into the next one, so a busy room costs fewer receipts than messages.
 */
function receiptSender({ connection, cookie }: Tab, roomId: string) {
  let inFlight = false;
  let pending = 0;
  let sentUpTo = 0;
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    if (inFlight || pending <= sentUpTo) return;
    inFlight = true;
    const id = pending;
    // A failed receipt is dropped, not retried at once: once the servers have stopped, retrying
    // spun forever and kept the load process from exiting.
    acknowledge(connection, cookie, roomId, id)
      .catch(() => {})
      .finally(() => {
        sentUpTo = id;
        inFlight = false;
        flush();
      });
  };
  return (id: number) => {
    pending = Math.max(pending, id);
    // The browser waits 150 ms so delivered and seen go in one request (use-receipts.ts).
    timer ??= setTimeout(flush, 150);
  };
}

/**
 * Conversations of two with both event streams open, ready for `drive`. `send` sends one text
 * from the pair's sender; the receiver's side hands each text it receives from the partner to
 * the room's listener. Ephemera's pairs speak its protocol; the peers scenario opens others
 * (bench/peers/) behind the same shape, so one drive measures them all alike.
 */
export interface OpenPairs<P extends { roomId: string } = Pair> {
  pairs: P[];
  listeners: Map<string, (text: string) => void>;
  send(pair: P, text: string): Promise<void>;
  close(): void;
}

/**
 * Opens both event streams of a conversation: the sender's own (read, not decoded, as its tab
 * reads the echo) and the receiver's, whose messages from the partner reach `listeners` (and,
 * with `receipts`, are acknowledged as the browser does).
 */
async function openPair(pair: Pair, into: OpenPairs, streams: Stream[], receipts: boolean) {
  const { roomId, sender, receiver } = pair;
  const own = subscribe(sender.base, sender.cookie, roomId);
  const ack = receipts ? receiptSender(receiver, roomId) : undefined;
  const theirs = subscribe(receiver.base, receiver.cookie, roomId, (event) => {
    if (event.type === "message" && event.message && !event.message.mine) {
      // The send time travels inside the (stand-in) sealed message, as the text did.
      const text = openBenchMessage(event.message.ciphertext);
      if (text !== null) into.listeners.get(roomId)?.(text);
      ack?.(event.message.id);
    }
  });
  await Promise.all([own.opened, theirs.opened]);
  streams.push(own, theirs);
  into.pairs.push(pair);
}

function pairsHolder(streams: Stream[]): OpenPairs {
  const pairs: Pair[] = [];
  return {
    pairs,
    listeners: new Map(),
    send: (pair, text) => send(pair.sender.connection, pair.sender.cookie, pair.roomId, text),
    close: () => {
      streams.forEach((stream) => stream.close());
      for (const pair of pairs) {
        pair.sender.connection.close();
        pair.receiver.connection.close();
      }
    },
  };
}

const OPEN_BATCH = 50;

/**
 * Rooms of two with both event streams open, as in real use. With two bases, each room's sender
 * is on the first instance and its receiver on the second. With `receipts`, the receiver
 * acknowledges what it receives as the browser does (delivered and seen, coalesced).
 */
export async function openRooms(
  bases: string[],
  rooms: number,
  { receipts = process.env.BENCH_RECEIPTS === "on" } = {},
): Promise<OpenPairs> {
  const streams: Stream[] = [];
  const open = pairsHolder(streams);
  for (let start = 0; start < rooms; start += OPEN_BATCH) {
    await Promise.all(
      Array.from({ length: Math.min(OPEN_BATCH, rooms - start) }, async () => {
        const senderBase = bases[0]!;
        const receiverBase = bases[bases.length - 1]!;
        const roomId = await createRoom(senderBase);
        const sender = {
          base: senderBase,
          cookie: await visit(senderBase, roomId),
          connection: tabConnection(senderBase),
        };
        const receiver = {
          base: receiverBase,
          cookie: await visit(receiverBase, roomId),
          connection: tabConnection(receiverBase),
        };
        await openPair({ roomId, sender, receiver }, open, streams, receipts);
      }),
    );
  }
  return open;
}

/**
 * Direct chats with both people's event streams open, each person's tab authorised by their
 * session cookie alone (no room cookie): `sender` and `receiver` are those cookies.
 */
export async function openDirectChats(
  base: string,
  chats: Array<{ chatId: string; sender: string; receiver: string }>,
  { receipts = process.env.BENCH_RECEIPTS === "on" } = {},
): Promise<OpenPairs> {
  const streams: Stream[] = [];
  const open = pairsHolder(streams);
  for (let start = 0; start < chats.length; start += OPEN_BATCH) {
    await Promise.all(
      chats.slice(start, start + OPEN_BATCH).map((chat) =>
        openPair(
          {
            roomId: chat.chatId,
            sender: { base, cookie: chat.sender, connection: tabConnection(base) },
            receiver: { base, cookie: chat.receiver, connection: tabConnection(base) },
          },
          open,
          streams,
          receipts,
        ),
      ),
    );
  }
  return open;
}

/**
 * One send from every room, so each tab has its connection open, as a browser has from its page
 * load, before anything is measured. Not reported.
 */
export function warmUp<P extends { roomId: string }>(rooms: OpenPairs<P>) {
  return drive(rooms, { rate: Math.max(1, rooms.pairs.length / 2), seconds: 2 });
}

const PAD = "x".repeat(100);
/** Sequence numbers are unique across drives, so a late message from an earlier step never counts. */
let nextSequence = 0;

/**
 * Sends `rate` messages a second across the rooms for `seconds`, each carrying its send time (in
 * a 100-character text, sealed to the size the browser's would be: see `sealBenchMessage`), and
 * measures when the partner's stream receives it: latency, loss and duplicates.
 */
export async function drive<P extends { roomId: string }>(
  rooms: OpenPairs<P>,
  {
    rate,
    seconds,
    maxInFlight = 4000,
    into,
    drainMs = 5000,
  }: { rate: number; seconds: number; maxInFlight?: number; into?: Histogram; drainMs?: number },
) {
  const histogram = latencyHistogram();
  const sendRtt = latencyHistogram();
  const seen = new Set<number>();
  let duplicates = 0;
  let sent = 0;
  let sendErrors = 0;
  let firstSendError: string | undefined;
  let overloaded = 0;
  let inFlight = 0;
  let lastDelivery = 0;
  const firstSequence = nextSequence;
  for (const pair of rooms.pairs) {
    rooms.listeners.set(pair.roomId, (text) => {
      const [seqText, sentAtText] = text.split("|");
      const seq = Number(seqText);
      if (seq < firstSequence) return;
      if (seen.has(seq)) {
        duplicates += 1;
        return;
      }
      seen.add(seq);
      lastDelivery = performance.now();
      const micros = Math.max(1, Math.round((performance.now() - Number(sentAtText)) * 1000));
      histogram.recordValue(micros);
      // Several drives' latencies pooled into one histogram (the peers scenario's rounds).
      into?.recordValue(micros);
    });
  }

  const started = performance.now();
  const total = Math.round(rate * seconds);
  let next = 0;
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate));
      for (; next < due; next += 1) {
        if (inFlight >= maxInFlight) {
          overloaded += 1;
          continue;
        }
        const pair = rooms.pairs[next % rooms.pairs.length]!;
        const text = `${nextSequence++}|${performance.now().toFixed(3)}|${PAD}`.slice(0, 100);
        inFlight += 1;
        const issued = performance.now();
        rooms
          .send(pair, text)
          .then(
            () => {
              sent += 1;
              sendRtt.recordValue(Math.max(1, Math.round((performance.now() - issued) * 1000)));
            },
            (error: unknown) => {
              sendErrors += 1;
              firstSendError ??= String(error).slice(0, 200);
            },
          )
          .finally(() => (inFlight -= 1));
      }
      if (next >= total) {
        clearInterval(tick);
        resolve();
      }
    }, 2);
  });
  const elapsed = (performance.now() - started) / 1000;
  // Let the last messages land; anything missing after this is lost.
  const deadline = performance.now() + drainMs;
  while ((inFlight > 0 || seen.size < sent) && performance.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  for (const pair of rooms.pairs) rooms.listeners.delete(pair.roomId);

  return {
    rate,
    seconds,
    attempted: total,
    sent,
    delivered: seen.size,
    lost: sent - seen.size,
    duplicates,
    sendErrors,
    firstSendError,
    overloaded,
    achievedRate: Math.round(sent / elapsed),
    // Deliveries a second, until the last one landed (a backlog drained after sending ended counts its time).
    deliveredRate: Math.round(seen.size / Math.max(elapsed, (lastDelivery - started) / 1000)),
    latencyMs: summarize(histogram),
    sendRoundTripMs: summarize(sendRtt),
  };
}
