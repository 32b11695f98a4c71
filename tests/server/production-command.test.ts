import { spawn, spawnSync } from "node:child_process";
import { appendFileSync, cpSync, mkdtempSync, readlinkSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startAppServer } from "../support/app-server";
import { freePort } from "../support/free-port";
import { containerCommand, productionNodeFlags, startCommand } from "../support/production-command";
import { waitFor } from "../support/wait-for";

const ROOT = resolve(import.meta.dirname, "../..");

describe("the production command", () => {
  it("is the same in the container as in `npm start`, so the benchmark measures what deploys", () => {
    expect(containerCommand()).toEqual(startCommand());
  });

  it("runs the server with a 32 MB young generation (decision 012)", () => {
    expect(productionNodeFlags()).toContain("--max-semi-space-size=32");
  });
});

/** `npm start` in `dir`, in a process group of its own so that stopping it stops its server too. */
function npmStart(dir: string, port: number) {
  const child = spawn("npm", ["start"], {
    cwd: dir,
    detached: true,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      PORT: String(port),
      RATE_LIMITS: "off",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolveExit) => child.once("exit", () => resolveExit()));
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    output: () => output,
    ready: () =>
      waitFor(async () => (await fetch(`${url}/healthz`)).ok, {
        timeoutMs: 240_000,
        intervalMs: 200,
        what: `npm start on ${port}`,
      }).catch((error: Error) => {
        throw new Error(`${error.message}\n${output}`);
      }),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      process.kill(-child.pid!, "SIGTERM");
      await exited;
    },
  };
}

/** The scripts and styles a page of `origin` loads. */
async function assetsOf(origin: string): Promise<string[]> {
  const html = await (await fetch(`${origin}/`)).text();
  return [...new Set([...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((match) => match[1]!))];
}

describe("`npm start` beside a running server", () => {
  // A copy of the app's sources with the repository's dependencies, so that building there can
  // never disturb the repository's own build, which the other suites' servers run from.
  const dir = mkdtempSync(join(tmpdir(), "ephemera-start-"));
  const started: Array<{ stop(): Promise<void> }> = [];
  afterAll(async () => {
    for (const server of started.reverse()) await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    "rebuilds a stale build into a new folder, never under the running server, and reuses a fresh one",
    { timeout: 600_000 },
    async () => {
      for (const path of [
        "app",
        "server",
        "public",
        "scripts",
        "server.ts",
        "package.json",
        "package-lock.json",
        "vite.config.ts",
        "tsconfig.json",
      ]) {
        cpSync(join(ROOT, path), join(dir, path), { recursive: true });
      }
      symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
      const build = spawnSync("npm", ["run", "build"], { cwd: dir, encoding: "utf8" });
      expect(build.status, build.stderr).toBe(0);
      const first = await startAppServer({}, undefined, [], { cwd: dir, entry: join(dir, "build/server.js") });
      started.push(first);
      const assets = await assetsOf(first.url);
      expect(assets.length).toBeGreaterThan(2);
      // The sources change after the first server started: its build is stale, and the next one's
      // stylesheet will have another name.
      appendFileSync(join(dir, "app/tailwind.css"), "\n.rebuilt-marker { color: red; }\n");

      let polling = true;
      const failures: string[] = [];
      let rounds = 0;
      // The first server's scripts and styles, asked for every 50 ms while the others start.
      const poll = (async () => {
        while (polling) {
          for (const asset of assets) {
            const status = await fetch(`${first.url}${asset}`, { method: "HEAD" }).then(
              (response) => String(response.status),
              (error: Error) => error.message,
            );
            if (status !== "200") failures.push(`${asset}: ${status}`);
          }
          rounds += 1;
          await new Promise((resolveWait) => setTimeout(resolveWait, 50));
        }
      })();
      try {
        // Stale: `npm start` builds, into a folder of its own, while the first server serves.
        const second = npmStart(dir, await freePort());
        started.push(second);
        await second.ready();
        expect(failures).toEqual([]);
        const secondAssets = await assetsOf(second.url);
        expect(secondAssets).not.toEqual(assets);
        for (const asset of secondAssets) expect((await fetch(`${second.url}${asset}`)).status).toBe(200);
        const rebuilt = readlinkSync(join(dir, "build"));

        // Fresh: a third instance starts on the same build, without building.
        const third = npmStart(dir, await freePort());
        started.push(third);
        await third.ready();
        expect(third.output()).toContain("build is up to date");
        expect(readlinkSync(join(dir, "build"))).toBe(rebuilt);
      } finally {
        polling = false;
        await poll;
      }
      expect(rounds).toBeGreaterThan(3);
      expect(failures).toEqual([]);
    },
  );
});
