// Preloaded into bench servers only (node --expose-gc --require …): SIGUSR2 runs a full garbage
// collection, so `idle` and `peers` can read memory per stream without the garbage the collector
// has not reached yet. The product never loads this file.
const { writeFileSync } = process.getBuiltinModule("node:fs");
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
    const { rss, heapUsed } = process.memoryUsage();
    // What V8 holds from the system, by space: RSS is that plus Node's and the allocator's own.
    const committed = Object.fromEntries(getHeapSpaceStatistics().map((space) => [space.space_name, space.space_size]));
    writeFileSync(
      `${tmpdir()}/ephemera-bench-memory-${process.pid}.json`,
      JSON.stringify({ rss, heapUsed, committed }),
    );
  }, 100);
});
