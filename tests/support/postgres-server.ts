import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { freePort } from "./free-port";
import { waitFor } from "./wait-for";

export interface TestPostgres {
  /** A superuser URL for the server's `postgres` database: make databases with it, never test in it. */
  adminUrl: string;
  /** How long initdb and the first accepted connection took, in ms. */
  startupMs: number;
  stop(): Promise<void>;
}

/** The directory holding initdb and postgres: `pg_config --bindir`, else the newest under /usr/lib/postgresql. */
function postgresBinDir(): string {
  try {
    const dir = execFileSync("pg_config", ["--bindir"], { encoding: "utf8" }).trim();
    if (existsSync(join(dir, "initdb"))) return dir;
  } catch {
    // Debian's pg_config may belong to the client package only; fall through to the server's own folder.
  }
  const root = "/usr/lib/postgresql";
  const hasServer = (version: string) => existsSync(join(root, version, "bin", "initdb"));
  const versions = existsSync(root) ? readdirSync(root).filter(hasServer) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) {
    throw new Error("PostgreSQL's server binaries (initdb, postgres) are not installed: apt-get install postgresql");
  }
  return join(root, newest, "bin");
}

/** PostgreSQL refuses to run as root; as root the server runs as the `postgres` system user. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
  return { uid: id("-u"), gid: id("-g") };
}

/**
 * A private PostgreSQL in a fresh temporary cluster on a free port, so tests neither depend on nor
 * touch the machine's own server or its databases. fsync is off: nothing here must survive a crash.
 */
export async function startPostgresServer(): Promise<TestPostgres> {
  const started = performance.now();
  const bin = postgresBinDir();
  const user = serverUser();
  const dir = mkdtempSync(join(tmpdir(), "ephemera-pg-"));
  if (user) chownSync(dir, user.uid, user.gid);
  const asServerUser = { ...user, cwd: dir, env: { ...process.env, LC_ALL: "C" } };

  execFileSync(join(bin, "initdb"), ["-D", dir, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"], {
    ...asServerUser,
    stdio: ["ignore", "ignore", "pipe"],
  });

  const port = await freePort();
  const child: ChildProcess = spawn(
    join(bin, "postgres"),
    ["-D", dir, "-p", String(port), "-k", dir, "-c", "fsync=off", "-c", "listen_addresses=127.0.0.1"],
    { ...asServerUser, stdio: ["ignore", "ignore", "pipe"] },
  );
  // Kept for the error message when it never comes up.
  let log = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let spawnError: Error | undefined;
  child.once("error", (error) => {
    spawnError = error;
  });

  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  try {
    await waitFor(
      async () => {
        if (spawnError || child.exitCode !== null) throw new Error(`postgres exited: ${spawnError?.message ?? log}`);
        const client = new pg.Client({ connectionString: adminUrl });
        client.on("error", () => {});
        try {
          await client.connect();
          return (await client.query("SELECT 1 AS ok")).rows[0]?.ok === 1;
        } finally {
          await client.end().catch(() => {});
        }
      },
      { timeoutMs: 20_000, intervalMs: 50, what: `postgres on port ${port}` },
    );
  } catch (error) {
    child.kill("SIGQUIT");
    await exited;
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`PostgreSQL did not start: ${log}`, { cause: error });
  }

  return {
    adminUrl,
    startupMs: Math.round(performance.now() - started),
    async stop() {
      // SIGINT is the fast shutdown: it disconnects clients instead of waiting for them.
      child.kill("SIGINT");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A new, empty database on the suite's server: each test file (or test) gets its own. */
export async function createTestDatabase(adminUrl: string): Promise<TestDatabase> {
  const name = `test_${randomBytes(6).toString("hex")}`;
  await adminQuery(adminUrl, `CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    // FORCE ends connections a failed test left open.
    drop: () => adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * A pool for a test database. A database is dropped WITH (FORCE) after its pools end, and pg's
 * `Pool.end()` can resolve while a client is still saying goodbye: the server's "terminating
 * connection" then reaches a client no pool listens to any more, as an uncaught error that fails
 * the whole run. Every client here listens, since at teardown that error is expected.
 */
export function testPool(url: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max });
  pool.on("error", () => {});
  pool.on("connect", (client) => client.on("error", () => {}));
  return pool;
}
