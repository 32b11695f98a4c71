import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import { createInterface } from "node:readline";

const HOLDER = resolve(import.meta.dirname, "stream-holder.ts");
const VITE_NODE = resolve(import.meta.dirname, "../../node_modules/vite-node/vite-node.mjs");
const CONFIG = resolve(import.meta.dirname, "../../vitest.config.ts");
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
        const child = spawn(process.execPath, [VITE_NODE, "--config", CONFIG, HOLDER], {
          env: { ...process.env, HOLD_BASE: base, HOLD_ROOMS: String(share) },
          stdio: ["pipe", "pipe", "inherit"],
        });
        children.push(child);
        return new Promise<HolderReport>((resolveReport, reject) => {
          createInterface({ input: child.stdout! }).once("line", (line) =>
            resolveReport(JSON.parse(line) as HolderReport),
          );
          child.once("error", reject);
          child.once("exit", (code) => reject(new Error(`a stream holder exited (${code}) before reporting`)));
        });
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
