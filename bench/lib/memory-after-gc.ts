import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { waitFor } from "../../tests/support/wait-for";

/** Where gc-on-signal.cjs writes its report. */
const reportFile = (pid: number) => `${tmpdir()}/ephemera-bench-memory-${pid}.json`;

export interface MemoryReport {
  rss: number;
  heapUsed: number;
  /** Bytes V8 has committed, by heap space (`new_space`, `old_space`, …). */
  committed: Record<string, number>;
  /** Resident bytes of the main thread's malloc heap: Node's native objects, not V8's pages. */
  mallocHeap: number;
}

/**
 * A bench server's memory right after a full GC (two, finalizers run between; RSS once V8 has
 * handed back what they freed): RSS, the live JS heap and the malloc heap, in bytes. The server
 * must preload gc-on-signal.cjs (`GC_ON_SIGNAL_ARGS`); `signal` sends it SIGUSR2.
 */
export async function memoryAfterGc(pid: number, signal: (name: NodeJS.Signals) => void) {
  const file = reportFile(pid);
  rmSync(file, { force: true });
  signal("SIGUSR2");
  // Until the file is there and whole.
  const report = await waitFor(() => JSON.parse(readFileSync(file, "utf8")) as MemoryReport, {
    what: `the memory report of process ${pid}`,
    timeoutMs: 10_000,
  });
  rmSync(file, { force: true });
  return report;
}
