let hydrated = false;

/** Called once the browser has committed its first render (the root's effect). */
export function markHydrated(): void {
  hydrated = true;
}

/**
 * When the route data now being rendered reached this browser, on `Date.now()`'s clock. Data
 * rendered while hydrating came inside the document, possibly long before the scripts ran: the
 * server produced it between the request leaving and the response's first byte arriving, so the
 * midpoint of the two (Navigation Timing) is within half of that of the truth. Data rendered
 * after hydration came from a client-side navigation that has just finished.
 */
export function routeDataArrivedAt(): number {
  if (hydrated || typeof window === "undefined") return Date.now();
  const [navigation] = performance.getEntriesByType("navigation") as PerformanceNavigationTiming[];
  if (!navigation || navigation.responseStart <= 0) return Date.now();
  return performance.timeOrigin + (navigation.requestStart + navigation.responseStart) / 2;
}
