import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { createInterface } from "node:readline";

const TIMER = resolve(import.meta.dirname, "query-timer.ts");
const VITE_NODE = resolve(import.meta.dirname, "../../node_modules/vite-node/vite-node.mjs");
const CONFIG = resolve(import.meta.dirname, "../../vitest.config.ts");

/**
 * Times `calls` GETs of `path` on `base` (after `warmup` untimed ones), one at a time, from a
 * process of their own (query-timer.ts): each call's microseconds, and the answer's length.
 */
export async function timeQueries(
  base: string,
  path: string,
  { cookie, calls, warmup }: { cookie: string; calls: number; warmup: number },
): Promise<{ micros: number[]; chars: number }> {
  const child = spawn(process.execPath, [VITE_NODE, "--config", CONFIG, TIMER], {
    env: {
      ...process.env,
      TIMER_BASE: base,
      TIMER_PATH: path,
      TIMER_COOKIE: cookie,
      TIMER_CALLS: String(calls),
      TIMER_WARMUP: String(warmup),
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const report = await new Promise<{ micros?: number[]; chars?: number; error?: string }>((resolveReport, reject) => {
    createInterface({ input: child.stdout! }).once("line", (line) => resolveReport(JSON.parse(line)));
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`the query timer exited (${code}) before reporting`)));
  });
  if (report.error || !report.micros) throw new Error(`the query timer failed: ${report.error}`);
  return { micros: report.micros, chars: report.chars ?? 0 };
}
