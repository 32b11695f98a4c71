/**
 * The JavaScript a page loads (entry, root and route modules with everything they import), read
 * from the production build's Remix manifest and gzipped as the server sends it.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

export const ROOM_PAGE_JS_BUDGET_BYTES = 150 * 1024;

interface ManifestEntry {
  module: string;
  imports?: string[];
}
interface RemixManifest {
  entry: ManifestEntry;
  routes: Record<string, ManifestEntry & { parentId?: string }>;
}

function readManifest(clientDir: string): RemixManifest {
  const assets = join(clientDir, "assets");
  const file = readdirSync(assets).find((name) => /^manifest-[\w-]+\.js$/.test(name));
  if (!file) throw new Error(`No Remix manifest in ${assets}: run \`npm run build\` first.`);
  const source = readFileSync(join(assets, file), "utf8");
  return JSON.parse(source.slice(source.indexOf("{"), source.lastIndexOf("}") + 1)) as RemixManifest;
}

/** Each JS file a page of `routeId` loads, with its raw and gzipped size. */
export function pageJs(routeId: string, clientDir = resolve(fileURLToPath(import.meta.url), "../../build/client")) {
  const manifest = readManifest(clientDir);
  const chain: ManifestEntry[] = [manifest.entry];
  for (let id: string | undefined = routeId; id; id = manifest.routes[id]?.parentId) {
    const route = manifest.routes[id];
    if (!route) throw new Error(`No route ${id} in the manifest`);
    chain.push(route);
  }
  const urls = new Set(chain.flatMap((entry) => [entry.module, ...(entry.imports ?? [])]));
  const files = [...urls].map((url) => {
    const content = readFileSync(join(clientDir, url));
    return { url, bytes: content.length, gzipBytes: gzipSync(content).length };
  });
  return {
    files,
    bytes: files.reduce((sum, file) => sum + file.bytes, 0),
    gzipBytes: files.reduce((sum, file) => sum + file.gzipBytes, 0),
  };
}
