import type { ChildProcess } from "node:child_process";
import { startLoadProcess } from "./load-process";
/** 8,000 stream sockets per holder process: well under a common `ulimit -n` (20,000 here). */
const ROOMS_PER_HOLDER = 4_000;

interface HolderReport {
  opened: number;
  error?: string;
}

/**
 * Opens `rooms` rooms on `base`, both members' event streams in each, from as many stream-holder
 * processes as their file-descriptor limit requires; resolves with the number of open streams
 * once all are open. `close()` ends them all.
 */
export async function holdStreams(base: string, rooms: number) {
  const children: ChildProcess[] = [];
  const close = () =>
    Promise.all(
      children.map(
        (child) =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once("exit", () => done());
            child.stdin?.end();
          }),
      ),
    );
  try {
    const reports = await Promise.all(
      Array.from({ length: Math.ceil(rooms / ROOMS_PER_HOLDER) }, (_, index) => {
        const share = Math.min(ROOMS_PER_HOLDER, rooms - index * ROOMS_PER_HOLDER);
        const { child, report } = startLoadProcess<HolderReport>(
          "stream-holder.ts",
          { HOLD_BASE: base, HOLD_ROOMS: String(share) },
          "pipe",
        );
        children.push(child);
        return report;
      }),
    );
    const failed = reports.find((report) => report.error);
    if (failed) throw new Error(`a stream holder failed after ${failed.opened} streams: ${failed.error}`);
    return { opened: reports.reduce((sum, report) => sum + report.opened, 0), close };
  } catch (error) {
    await close();
    throw error;
  }
}
