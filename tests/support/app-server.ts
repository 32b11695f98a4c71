import { spawn } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort } from "./free-port";
import { productionNodeFlags } from "./production-command";
import { waitFor } from "./wait-for";

const ROOT = resolve(import.meta.dirname, "../..");
const SERVER_BUILD = resolve(ROOT, "build/server/index.js");
const SERVER_ENTRY = resolve(ROOT, "build/server.js");

export interface AppServer {
  url: string;
  port: number;
  /** The process `npm start` would be: with WEB_CONCURRENCY above 1, the workers' primary. */
  pid: number;
  output: () => string;
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL: the process dies mid-flight, as in a crash or an out-of-memory kill. */
  kill(): Promise<void>;
  /** Sends the process a signal (the benchmark's SIGUSR2 asks a bench build for a full GC). */
  signal(name: NodeJS.Signals): void;
}

/**
 * Where servers run unless a test says otherwise: an empty directory, so that a `.env` a developer
 * keeps in the repository (which the server reads from its working directory) never reaches a test.
 */
let emptyDir: string | undefined;
const noEnvFileDir = () => (emptyDir ??= mkdtempSync(join(tmpdir(), "ephemera-cwd-")));

export interface StartOptions {
  /** Where the server runs (and looks for `.env`); an empty directory unless given. */
  cwd?: string;
  /** Another build's `server.js` than the repository's. */
  entry?: string;
}

/** The production build, started exactly as `npm start` runs it, on a free loopback port. */
async function spawnServer(
  env: Record<string, string>,
  port?: number,
  nodeArgs: string[] = [],
  options: StartOptions = {},
) {
  const { cwd = noEnvFileDir(), entry = SERVER_ENTRY } = options;
  if (!options.entry && (!existsSync(SERVER_BUILD) || !existsSync(SERVER_ENTRY))) {
    throw new Error("No production build: run `npm run build` first (`npm test` does).");
  }
  const listenPort = port ?? (await freePort());
  const child = spawn(process.execPath, [...productionNodeFlags(), ...nodeArgs, entry], {
    cwd,
    // Limits are off unless a test is about them: every test client shares 127.0.0.1.
    env: {
      PATH: process.env.PATH,
      HOST: "127.0.0.1",
      PORT: String(listenPort),
      NODE_ENV: "production",
      RATE_LIMITS: "off",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output = { stdout: "", stderr: "", all: "" };
  child.stdout.on("data", (chunk: Buffer) => {
    output.stdout += chunk.toString();
    output.all += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    output.stderr += chunk.toString();
    output.all += chunk.toString();
  });
  const exited = new Promise<number | null>((resolveExit) => child.once("exit", (code) => resolveExit(code)));
  return { child, port: listenPort, output, exited };
}

/** Starts the server on a free port, or on `port` (to bring an instance back where it was). */
export async function startAppServer(
  env: Record<string, string> = {},
  port?: number,
  nodeArgs: string[] = [],
  options: StartOptions = {},
): Promise<AppServer> {
  const spawned = await spawnServer(env, port, nodeArgs, options);
  const { child, output, exited } = spawned;
  let hasExited = false;
  void exited.then(() => (hasExited = true));

  const url = `http://127.0.0.1:${spawned.port}`;
  await waitFor(
    async () => {
      if (hasExited) throw new Error(`server exited early:\n${output.all}`);
      return (await fetch(`${url}/`)).ok;
    },
    { timeoutMs: 15_000, what: `the app on ${url}` },
  ).catch((error: Error) => {
    child.kill("SIGKILL");
    throw new Error(`${error.message}\n${output.all}`);
  });

  return {
    url,
    port: spawned.port,
    pid: child.pid!,
    output: () => output.all,
    /** SIGTERM, then SIGKILL after a grace period (graceful drain is the server's own job). */
    async stop(graceMs = 2000) {
      if (hasExited) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
    async kill() {
      if (hasExited) return;
      child.kill("SIGKILL");
      await exited;
    },
    signal(name) {
      if (!hasExited) child.kill(name);
    },
  };
}

/** Runs the built server with `env` and returns its exit code and output, for startup failures. */
export async function runAppServerToExit(env: Record<string, string>, timeoutMs = 10_000) {
  const { child, output, exited } = await spawnServer(env);
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const code = await exited;
  clearTimeout(timer);
  return { code, stdout: output.stdout, stderr: output.stderr };
}
