import { fakeSignUp } from "../../tests/support/account-inputs";
import { cpuPerMessage, METRICS_TOKEN, serverView, startCluster } from "../lib/cluster";
import { mutate, poolFor } from "../lib/client";
import { drive, openRooms, warmUp } from "../lib/conversation";
import { latencyHistogram, summarize } from "../lib/stats";

/**
 * argon2id beside chat: `signInRate` sign-ins a second (each a real argon2id verify on the
 * server's thread pool) for `seconds`, while the latency scenario runs at `rate` messages a
 * second. Chat p99 must stay within its target and every sign-in answer within 500 ms p99.
 * Accounts are in memory: the database's part of a sign-in is one indexed lookup and one insert.
 */
export async function signIn({ rooms = 500, rate = 400, signInRate = 50, seconds = 30, accounts = 50 } = {}) {
  const cluster = await startCluster(1);
  try {
    const base = cluster.apps[0]!.url;
    const pool = poolFor(base);
    const made = Array.from({ length: accounts }, (_, index) => fakeSignUp(`bench_${index}`));
    for (const account of made) await mutate(pool, "account.signUp", account);

    const open = await openRooms([base], rooms);
    await warmUp(open);
    const signIns = latencyHistogram();
    let signInErrors = 0;
    let firstError: string | undefined;
    const signingIn = (async () => {
      const started = performance.now();
      const total = Math.round(signInRate * seconds);
      const pending: Promise<void>[] = [];
      for (let next = 0; next < total; next += 1) {
        const due = started + (next * 1000) / signInRate;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        const account = made[next % made.length]!;
        const issued = performance.now();
        pending.push(
          mutate(pool, "account.signIn", { username: account.username, authKey: account.authKey }).then(
            () => signIns.recordValue(Math.max(1, Math.round((performance.now() - issued) * 1000))),
            (error: unknown) => {
              signInErrors += 1;
              firstError ??= String(error).slice(0, 200);
            },
          ),
        );
      }
      await Promise.all(pending);
    })();
    const chat = await cpuPerMessage(cluster, () => drive(open, { rate, seconds }));
    await signingIn;
    const server = await serverSignInSeconds(base);
    const servers = [await serverView(base)];
    open.close();
    return {
      rooms,
      rate,
      signInRate,
      chat,
      signIn: { ...summarize(signIns), errors: signInErrors, firstError },
      serverSignInMs: server,
      servers,
    };
  } finally {
    await cluster.stop();
  }
}

/** The server's own timing of successful sign-ins: mean, and the median read off the histogram's buckets. */
async function serverSignInSeconds(base: string) {
  const text = await (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
  const buckets: Array<[number, number]> = [];
  let sum = 0;
  let count = 0;
  for (const line of text.split("\n")) {
    if (!line.includes('outcome="ok"')) continue;
    const value = Number(line.split(" ").at(-1));
    const le = /le="([^"]+)"/.exec(line)?.[1];
    if (line.startsWith("ephemera_sign_in_seconds_bucket") && le && le !== "+Inf") buckets.push([Number(le), value]);
    if (line.startsWith("ephemera_sign_in_seconds_sum")) sum = value;
    if (line.startsWith("ephemera_sign_in_seconds_count")) count = value;
  }
  // Linear within the bucket that holds the median, as Prometheus' histogram_quantile does.
  let previous: [number, number] = [0, 0];
  let p50 = Number.NaN;
  for (const bucket of buckets) {
    if (bucket[1] >= count / 2) {
      const [lowerLe, lowerCount] = previous;
      p50 = lowerLe + ((bucket[0] - lowerLe) * (count / 2 - lowerCount)) / Math.max(1, bucket[1] - lowerCount);
      break;
    }
    previous = bucket;
  }
  const ms = (seconds: number) => Math.round(seconds * 10_000) / 10;
  return { count, mean: ms(sum / Math.max(1, count)), p50: ms(p50) };
}
