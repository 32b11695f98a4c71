// Preloaded into bench servers only (node --expose-gc --require …): SIGUSR2 runs a full garbage
// collection, so `idle` can read memory per stream without the garbage the collector has not
// reached yet. The product never loads this file.
process.on("SIGUSR2", () => {
  if (typeof globalThis.gc === "function") globalThis.gc();
});
