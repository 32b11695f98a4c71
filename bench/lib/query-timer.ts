/**
 * A separate, lean load process that times one tRPC query: TIMER_CALLS calls of TIMER_PATH on
 * TIMER_BASE with TIMER_COOKIE, one at a time on one kept-alive connection after TIMER_WARMUP
 * untimed ones, each answer read whole and parsed as the browser would. Reports
 * `{"micros":[…],"chars":N}` (or `{"error":…}`) on stdout.
 *
 * Timing from the bench's own process measured the bench too: its heap, grown by the scenario
 * before, ran a major GC every ~0.6 s while it parsed 77 KB answers, each a pause of 5–10 ms
 * added to whichever call it fell in.
 */
import http from "node:http";
import { DESKTOP_UA } from "./client";

const base = new URL(process.env.TIMER_BASE ?? "");
const path = process.env.TIMER_PATH ?? "";
const cookie = process.env.TIMER_COOKIE ?? "";
const calls = Number(process.env.TIMER_CALLS ?? 0);
const warmup = Number(process.env.TIMER_WARMUP ?? 0);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function once(): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = http.get(
      { host: base.hostname, port: base.port, path, agent, headers: { cookie, "user-agent": DESKTOP_UA } },
      (response) => {
        response.setEncoding("utf8");
        let body = "";
        response.on("data", (chunk: string) => (body += chunk));
        response.on("end", () =>
          response.statusCode === 200
            ? resolve(body)
            : reject(new Error(`${response.statusCode} ${body.slice(0, 200)}`)),
        );
      },
    );
    request.on("error", reject);
  });
}

try {
  let chars = 0;
  for (let index = 0; index < warmup; index += 1) chars = (await once()).length;
  const micros: number[] = [];
  for (let index = 0; index < calls; index += 1) {
    const started = performance.now();
    JSON.parse(await once());
    micros.push(Math.round((performance.now() - started) * 1000));
  }
  process.stdout.write(`${JSON.stringify({ micros, chars })}\n`);
} catch (error) {
  process.stdout.write(`${JSON.stringify({ error: String(error).slice(0, 300) })}\n`);
}
agent.destroy();
