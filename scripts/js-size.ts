/** `npm run size`: gzipped JS of the room page and the lobby, checked against the budget. */
import { pageJs, ROOM_PAGE_JS_BUDGET_BYTES } from "./page-js";

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
for (const [label, routeId] of [
  ["room page", "routes/room.$roomId"],
  ["lobby", "routes/_index"],
] as const) {
  const report = pageJs(routeId);
  console.log(`${label}: ${kb(report.gzipBytes)} gzipped JS (${kb(report.bytes)} raw) in ${report.files.length} files`);
  for (const file of report.files.sort((a, b) => b.gzipBytes - a.gzipBytes)) {
    console.log(`  ${kb(file.gzipBytes).padStart(9)}  ${file.url}`);
  }
}
const room = pageJs("routes/room.$roomId");
const within = room.gzipBytes <= ROOM_PAGE_JS_BUDGET_BYTES;
console.log(`budget for the room page: ${kb(ROOM_PAGE_JS_BUDGET_BYTES)}: ${within ? "within" : "OVER"}`);
process.exitCode = within ? 0 : 1;
