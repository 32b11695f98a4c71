// Preloaded into bench servers only (node --expose-gc --require …): SIGUSR2 runs a full garbage
// collection, so `idle` and `peers` can read memory per stream without the garbage the collector
// has not reached yet. The product never loads this file.
const { readFileSync, writeFileSync } = process.getBuiltinModule("node:fs");
const { tmpdir } = process.getBuiltinModule("node:os");
const { getHeapSpaceStatistics } = process.getBuiltinModule("node:v8");

process.on("SIGUSR2", () => {
  if (typeof globalThis.gc !== "function") return;
  globalThis.gc();
  // Objects a FinalizationRegistry still holds for a callback the first collection queued
  // (undici keeps each Fetch Request's signal so, and a page is one) are free only after it
  // runs: a second collection once it has, then the report memory-after-gc.ts waits for.
  setTimeout(() => {
    globalThis.gc();
    const { heapUsed } = process.memoryUsage();
    // What V8 holds from the system, by space: RSS is that plus Node's and the allocator's own.
    const committed = Object.fromEntries(getHeapSpaceStatistics().map((space) => [space.space_name, space.space_size]));
    // V8 hands the pages a collection emptied back to the system from a helper thread after gc()
    // returns, so RSS read at once still counts some of them (3-7 KB a stream more, at 4,000
    // streams, than /proc/self/smaps read a moment later): more for a side that made more garbage.
    settledRss(process.memoryUsage.rss(), Date.now() + 5_000, (rss) =>
      writeFileSync(
        `${tmpdir()}/ephemera-bench-memory-${process.pid}.json`,
        JSON.stringify({ rss, heapUsed, committed, mallocHeap: mallocHeapRss() }),
      ),
    );
  }, 100);
});

/** Calls `done` with RSS once two readings 200 ms apart are within 256 KB (or at `deadline`). */
function settledRss(previous, deadline, done) {
  setTimeout(() => {
    const rss = process.memoryUsage.rss();
    if (Math.abs(previous - rss) < 256 * 1024 || Date.now() > deadline) done(rss);
    else settledRss(rss, deadline, done);
  }, 200);
}

/**
 * Resident bytes of the main thread's malloc heap (`[heap]` in /proc/self/smaps): Node's native
 * objects (sockets, HTTP parsers, zlib state, Buffers' bytes) as opposed to V8's own pages.
 */
function mallocHeapRss() {
  try {
    const smaps = readFileSync("/proc/self/smaps", "utf8");
    const match = /\[heap\]\n(?:.*\n)*?Rss:\s+(\d+) kB/.exec(smaps);
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}
