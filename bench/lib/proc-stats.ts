import { readFileSync } from "node:fs";

/** Clock ticks per second of /proc's CPU times (USER_HZ): 100 on Linux. */
const TICKS_PER_SECOND = 100;

/** CPU time (user + system) a process has used so far, in seconds, from /proc/<pid>/stat. */
export function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name, which may hold spaces: utime and stime are the 14th and 15th.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/**
 * Bytes a process has handed to write system calls so far (`wchar` in /proc/<pid>/io): on a
 * server, its responses, events and Redis commands. NaN where /proc does not say.
 */
export function bytesWrittenBy(pid: number): number {
  try {
    const line = readFileSync(`/proc/${pid}/io`, "utf8")
      .split("\n")
      .find((row) => row.startsWith("wchar:"));
    return line === undefined ? Number.NaN : Number(line.slice("wchar:".length));
  } catch {
    return Number.NaN;
  }
}
