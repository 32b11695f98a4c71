import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort } from "./free-port";
import { waitFor } from "./wait-for";

const ROOT = resolve(import.meta.dirname, "../..");
/** What `npx remix vite:dev` runs, without npm's process in between. */
const REMIX_CLI = resolve(ROOT, "node_modules/@remix-run/dev/dist/cli.js");

export interface DevServer {
  url: string;
  output: () => string;
  stop(): Promise<void>;
}

/**
 * `npm run dev` (Vite with hot reload), on a free loopback port. It runs in an empty directory
 * (it reads `.env` from there) and is pointed at the repository. Its first page compiles the app:
 * readiness waits for that, with a deadline for a loaded two-core machine.
 */
export async function startDevServer(
  env: Record<string, string> = {},
  { readyWithinMs = 120_000 } = {},
): Promise<DevServer> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [REMIX_CLI, "vite:dev", ROOT, "--host", "127.0.0.1", "--port", String(port), "--strictPort"],
    {
      cwd: mkdtempSync(join(tmpdir(), "ephemera-dev-cwd-")),
      // As for the production server's tests: limits off unless a test is about them.
      env: { PATH: process.env.PATH, NODE_ENV: "development", RATE_LIMITS: "off", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  let exited = false;
  const exit = new Promise<void>((resolveExit) =>
    child.once("exit", () => {
      exited = true;
      resolveExit();
    }),
  );

  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (exited) throw new Error(`dev server exited early:\n${output}`);
      return (await fetch(`${url}/`)).ok;
    },
    { timeoutMs: readyWithinMs, intervalMs: 200, what: `the dev server on ${url}` },
  ).catch((error: Error) => {
    child.kill("SIGKILL");
    throw new Error(`${error.message}\n${output}`);
  });

  return {
    url,
    output: () => output,
    async stop() {
      if (exited) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exit;
      clearTimeout(timer);
    },
  };
}
