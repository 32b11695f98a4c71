import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import { resolve } from "node:path";
import { createInterface } from "node:readline";

const VITE_NODE = resolve(import.meta.dirname, "../../node_modules/vite-node/vite-node.mjs");
const CONFIG = resolve(import.meta.dirname, "../../vitest.config.ts");

/**
 * Starts one of the bench's load processes (a TypeScript file beside this one, run as the bench
 * itself runs) with `env` added, and reads the one JSON line it reports on stdout. Rejects if it
 * exits first. Its stderr is the bench's.
 */
export function startLoadProcess<Report>(
  file: string,
  env: Record<string, string>,
  stdin: "pipe" | "ignore",
): { child: ChildProcess; report: Promise<Report> } {
  const stdio: StdioOptions = [stdin, "pipe", "inherit"];
  const child = spawn(process.execPath, [VITE_NODE, "--config", CONFIG, resolve(import.meta.dirname, file)], {
    env: { ...process.env, ...env },
    stdio,
  });
  const report = new Promise<Report>((resolveReport, reject) => {
    createInterface({ input: child.stdout! }).once("line", (line) => resolveReport(JSON.parse(line) as Report));
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`${file} exited (${code}) before reporting`)));
  });
  return { child, report };
}
