import { readFileSync } from "node:fs";
import { resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");

/** How `npm start` runs the server (package.json's `start`): `node`, its flags, the entry. */
export function startCommand(): string[] {
  const pkg = JSON.parse(readFileSync(resolve(ROOT, "package.json"), "utf8")) as { scripts: { start: string } };
  return pkg.scripts.start.trim().split(/\s+/);
}

/** How the container runs it: the Dockerfile's `CMD` (exec form). */
export function containerCommand(): string[] {
  const cmd = /^CMD (\[.*\])$/m.exec(readFileSync(resolve(ROOT, "Dockerfile"), "utf8"))?.[1];
  if (!cmd) throw new Error("no exec-form CMD in the Dockerfile");
  return JSON.parse(cmd) as string[];
}

/** The Node flags production runs with, so tests and the benchmark start the server the same way. */
export function productionNodeFlags(): string[] {
  const [node, ...rest] = startCommand();
  if (node !== "node" || rest.at(-1) !== "build/server.js")
    throw new Error(`unexpected start command: ${startCommand().join(" ")}`);
  return rest.slice(0, -1);
}
