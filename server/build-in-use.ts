import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * Marks a local build (one of `.builds/`, see scripts/build.mjs) as in use while this process
 * runs, so a later `npm start` or `npm run build` does not remove it from under this server. A
 * container's build is not one of those and is left alone; a process killed outright leaves its
 * mark behind, which the build script ignores once the process is gone.
 */
export function markBuildInUse(buildDir: string): void {
  if (path.basename(path.dirname(buildDir)) !== ".builds") return;
  const mark = path.join(buildDir, `.in-use-${process.pid}`);
  try {
    writeFileSync(mark, "");
  } catch {
    return;
  }
  process.once("exit", () => rmSync(mark, { force: true }));
}
