import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import { buildSync } from "esbuild";
import { freePort } from "../../tests/support/free-port";
import { productionNodeFlags } from "../../tests/support/production-command";

const ROOT = resolve(import.meta.dirname, "../..");
/** Inside node_modules, so the bundle's bare imports (socket.io, ioredis) resolve as the app's do. */
const OUT_DIR = resolve(ROOT, "node_modules/.cache/bench-peers");

export interface PeerServer {
  url: string;
  pid: number;
  signal(name: NodeJS.Signals): void;
  stop(): Promise<void>;
}

/**
 * Compiles a reference server (bench/peers/<name>.ts) to plain JavaScript and runs it as its own
 * process, with the Node flags production runs Ephemera with, on a free loopback port.
 */
export async function startPeer(
  name: string,
  env: Record<string, string>,
  nodeArgs: string[] = [],
): Promise<PeerServer> {
  mkdirSync(OUT_DIR, { recursive: true });
  const outfile = resolve(OUT_DIR, `${name}.mjs`);
  buildSync({
    entryPoints: [resolve(import.meta.dirname, `${name}.ts`)],
    outfile,
    bundle: true,
    packages: "external",
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "warning",
  });
  const port = await freePort();
  const child = spawn(process.execPath, [...productionNodeFlags(), ...nodeArgs, outfile], {
    cwd: OUT_DIR,
    env: { PATH: process.env.PATH, NODE_ENV: "production", PORT: String(port), ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  await new Promise<void>((ready, fail) => {
    const timer = setTimeout(() => fail(new Error(`${name} did not start within 15 s`)), 15_000);
    createInterface({ input: child.stdout! }).once("line", () => {
      clearTimeout(timer);
      ready();
    });
    child.once("exit", (code) => fail(new Error(`${name} exited (${code}) before listening`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    signal: (signal) => void child.kill(signal),
    async stop() {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
