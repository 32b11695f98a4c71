import { createRoom, send, tabConnection, visit } from "../lib/client";
import type { TabConnection } from "../lib/raw-http";
import { redisCpuSeconds, startCluster } from "../lib/cluster";

/** Per-command call counts from INFO commandstats (commands run inside scripts included). */
export function commandStats(info: string) {
  const calls: Record<string, number> = {};
  for (const line of info.split("\n")) {
    const match = /^cmdstat_([^:]+):calls=(\d+)/.exec(line.trim());
    if (match) calls[match[1]!] = Number(match[2]);
  }
  return calls;
}

/** What one message costs Redis: commands, round trips, CPU, and memory for a 100-character message. */
export async function redis({ rooms = 10, messagesPerRoom = 200 } = {}) {
  const cluster = await startCluster(1);
  const base = cluster.apps[0]!.url;
  const seats: Array<{ roomId: string; cookie: string; connection: TabConnection }> = [];
  try {
    for (let index = 0; index < rooms; index += 1) {
      const roomId = await createRoom(base);
      seats.push({ roomId, cookie: await visit(base, roomId), connection: tabConnection(base) });
    }
    const text = "m".repeat(100);
    await send(seats[0]!.connection, seats[0]!.cookie, seats[0]!.roomId, text); // loads the scripts
    const statsBefore = commandStats(await cluster.admin.info("commandstats"));
    const cpuBefore = await redisCpuSeconds(cluster.admin);
    let sent = 0;
    for (let round = 0; round < messagesPerRoom; round += 1) {
      await Promise.all(seats.map((seat) => send(seat.connection, seat.cookie, seat.roomId, text)));
      sent += seats.length;
    }
    const statsAfter = commandStats(await cluster.admin.info("commandstats"));
    const cpuAfter = await redisCpuSeconds(cluster.admin);

    const perMessage: Record<string, number> = {};
    for (const [command, calls] of Object.entries(statsAfter)) {
      const delta = calls - (statsBefore[command] ?? 0);
      if (delta > 0) perMessage[command] = Math.round((delta / sent) * 100) / 100;
    }
    // Client round trips are the commands the app sent; the rest ran inside Lua scripts.
    const roundTrips = (perMessage.evalsha ?? 0) + (perMessage.eval ?? 0);
    const memory = [];
    for (const seat of seats.slice(1)) {
      // The message list plus the clientIds kept for exactly-once sends, as long as the messages.
      let bytes = 0;
      for (const key of ["msgs", "cids"]) {
        bytes += Number(await cluster.admin.memory("USAGE", `room:{${seat.roomId}}:${key}`, "SAMPLES", "0"));
      }
      memory.push(bytes / messagesPerRoom);
    }
    return {
      messages: sent,
      roundTripsPerMessage: roundTrips,
      publishesPerMessage: perMessage.publish ?? 0,
      commandsPerMessage: perMessage,
      redisCpuMicrosPerMessage: Math.round(((cpuAfter - cpuBefore) / sent) * 1e6 * 10) / 10,
      bytesPerStoredMessage: Math.round(memory.reduce((sum, value) => sum + value, 0) / memory.length),
    };
  } finally {
    for (const seat of seats) seat.connection.close();
    await cluster.stop();
  }
}
