#!/usr/bin/env node
/**
 * Builds the app into a new folder under `.builds/` and then points `build` (a symbolic link) at
 * it in one rename, so a server already running keeps every file of the build it started with:
 * Node runs `build/server.js` from its real path, and the server finds its assets next to it.
 * Rebuilding in place emptied `build/` under a running server, which then answered 404 for its
 * own scripts for 5-17 s.
 *
 *   node scripts/build.mjs             always build (`npm run build`)
 *   node scripts/build.mjs --if-stale  only when `build` is missing or its sources changed (`npm start`)
 *
 * A build records a hash of everything it was made from; "stale" means that hash differs. Old
 * builds are removed once no running server uses them (each server marks its build while it
 * runs, see server.ts) and they are at least ten minutes old (a build another `npm start` has
 * just made may not have its server yet).
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { build as bundle } from "esbuild";

const ROOT = join(import.meta.dirname, "..");
const CURRENT = join(ROOT, "build");
const BUILDS = join(ROOT, ".builds");
const STAMP = ".sources-sha256";
/** Marks left by running servers: `.in-use-<pid>` (server.ts). */
const IN_USE = /^\.in-use-(\d+)$/;
const KEEP_RECENT_MS = 10 * 60_000;

/** What a build is made from; tests are not part of it. */
const SOURCE_DIRS = ["app", "server", "public"];
const SOURCE_FILES = [
  "server.ts",
  "package.json",
  "package-lock.json",
  "vite.config.ts",
  "tsconfig.json",
  "scripts/build.mjs",
];
const isTest = (name) => /\.test\.tsx?$/.test(name);

function filesUnder(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(path);
    return entry.isFile() && !isTest(entry.name) ? [path] : [];
  });
}

function sourcesHash() {
  const files = [
    ...SOURCE_DIRS.flatMap((dir) => filesUnder(join(ROOT, dir))),
    ...SOURCE_FILES.map((file) => join(ROOT, file)),
  ]
    .filter((file) => existsSync(file))
    .sort();
  const hash = createHash("sha256");
  for (const file of files) hash.update(relative(ROOT, file)).update("\0").update(readFileSync(file)).update("\0");
  return hash.digest("hex");
}

function builtFrom() {
  try {
    return readFileSync(join(CURRENT, STAMP), "utf8").trim();
  } catch {
    return null;
  }
}

function run(command, args, env) {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: "inherit", env: { ...process.env, ...env } });
  if (result.status !== 0) {
    console.error(`build failed: ${[command, ...args].join(" ")}`);
    process.exit(result.status ?? 1);
  }
}

/** Points `build` at `target` in one rename: a reader sees the old build or the new, never neither. */
function switchTo(target) {
  const next = join(ROOT, `build.next-${process.pid}`);
  rmSync(next, { force: true });
  symlinkSync(relative(ROOT, target), next);
  // A `build` folder from before builds had their own folders cannot be renamed over: it moves
  // aside first (once), with the same care for a server that may be running from it.
  if (existsSync(CURRENT) && !lstatSync(CURRENT).isSymbolicLink())
    renameSync(CURRENT, join(BUILDS, `previous-${Date.now()}`));
  renameSync(next, CURRENT);
}

function inUse(dir) {
  return readdirSync(dir).some((name) => {
    const pid = IN_USE.exec(name)?.[1];
    if (!pid) return false;
    try {
      process.kill(Number(pid), 0);
      return true;
    } catch (error) {
      // EPERM: alive, someone else's.
      return error.code === "EPERM";
    }
  });
}

function removeOldBuilds(keep) {
  for (const name of readdirSync(BUILDS)) {
    const dir = join(BUILDS, name);
    if (dir === keep || Date.now() - statSync(dir).mtimeMs < KEEP_RECENT_MS || inUse(dir)) continue;
    rmSync(dir, { recursive: true, force: true });
  }
}

const ifStale = process.argv.includes("--if-stale");
const hash = sourcesHash();
if (ifStale && existsSync(join(CURRENT, "server.js")) && builtFrom() === hash) {
  console.log("build is up to date");
  process.exit(0);
}

mkdirSync(BUILDS, { recursive: true });
const target = join(BUILDS, `${Date.now()}-${process.pid}`);
const remix = join(createRequire(import.meta.url).resolve("@remix-run/dev/package.json"), "../dist/cli.js");
run(process.execPath, [remix, "vite:build"], { EPHEMERA_BUILD_DIR: target });
await bundle({
  entryPoints: [join(ROOT, "server.ts")],
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  outfile: join(target, "server.js"),
  logLevel: "warning",
});
// The database's SQL migrations, applied at startup: found upwards from the bundles (db/migrate.ts).
cpSync(join(ROOT, "app/.server/db/migrations"), join(target, "migrations"), { recursive: true });
writeFileSync(join(target, STAMP), `${hash}\n`);
switchTo(target);
removeOldBuilds(target);
console.log(`built ${relative(ROOT, target)}; build -> it`);
