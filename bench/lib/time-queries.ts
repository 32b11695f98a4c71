import { startLoadProcess } from "./load-process";

/**
 * Times `calls` GETs of `path` on `base` (after `warmup` untimed ones), one at a time, from a
 * process of their own (query-timer.ts): each call's microseconds, and the answer's length.
 */
export async function timeQueries(
  base: string,
  path: string,
  { cookie, calls, warmup }: { cookie: string; calls: number; warmup: number },
): Promise<{ micros: number[]; chars: number }> {
  const { report } = startLoadProcess<{ micros?: number[]; chars?: number; error?: string }>(
    "query-timer.ts",
    {
      TIMER_BASE: base,
      TIMER_PATH: path,
      TIMER_COOKIE: cookie,
      TIMER_CALLS: String(calls),
      TIMER_WARMUP: String(warmup),
    },
    "ignore",
  );
  const { micros, chars, error } = await report;
  if (error || !micros) throw new Error(`the query timer failed: ${error}`);
  return { micros, chars: chars ?? 0 };
}
