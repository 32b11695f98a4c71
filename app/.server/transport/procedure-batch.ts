import type { IncomingMessage, ServerResponse } from "node:http";
import { callTRPCProcedure, getErrorShape, getTRPCErrorFromUnknown, TRPCError, type AnyTRPCRouter } from "@trpc/server";
import { getHTTPStatusCode } from "@trpc/server/http";
import type { TRPCResponse } from "@trpc/server/rpc";
import type { Context } from "../trpc/context";
import type { answerHeaders, trpcHandlerOptions } from "./handler-options";
import { readWireInput } from "./wire-input";
import { wireJson } from "./wire-json";

export interface ProcedureBatchOptions {
  router: AnyTRPCRouter;
  onError: typeof trpcHandlerOptions.onError;
  answerHeaders: typeof answerHeaders;
  maxBodyBytes: number;
  createContext: () => Context;
}

type BatchType = "query" | "mutation";
const pathsCache = new WeakMap<AnyTRPCRouter, Record<BatchType, Set<string>>>();

function pathsOf(router: AnyTRPCRouter, type: BatchType): Set<string> {
  let paths = pathsCache.get(router);
  if (!paths) {
    const procedures = router._def.procedures as Record<string, { _def: { type: string } }>;
    const ofType = (wanted: BatchType) =>
      new Set(Object.keys(procedures).filter((path) => procedures[path]?._def.type === wanted));
    paths = { query: ofType("query"), mutation: ofType("mutation") };
    pathsCache.set(router, paths);
  }
  return paths[type];
}

/** What a browser's plain request is: a GET of queries, or a JSON POST of mutations. */
function batchTypeOf(req: IncomingMessage): BatchType | null {
  if (req.method === "GET") return "query";
  if (req.method === "POST" && req.headers["content-type"]?.startsWith("application/json")) return "mutation";
  return null;
}

/**
 * Whether `serveProcedureBatch` answers this request: a GET whose every procedure is a query
 * (the chat list, a room's messages), or a JSON POST whose every procedure is a mutation (every
 * send, receipt and typing signal a browser makes). Anything else, including unknown paths,
 * subscriptions and other content types, goes to tRPC's own adapter, which has the answers.
 */
export function isProcedureBatch(req: IncomingMessage, pathParam: string, router: AnyTRPCRouter): boolean {
  const type = batchTypeOf(req);
  if (type === null) return false;
  // A streamed (JSONL) batch is answered progressively; only tRPC's adapter does that.
  if (req.headers["trpc-accept"] !== undefined || req.headers.accept?.includes("application/jsonl")) return false;
  const known = pathsOf(router, type);
  return pathParam.split(",").every((path) => known.has(path));
}

/**
 * tRPC queries and mutations answered straight from the Node request, in exactly the format
 * tRPC's HTTP adapters use (a batch of answers in an array, or one answer; superjson; the same
 * statuses, error shapes, `onError`, and the head `responseMeta` gives tRPC's adapter), and
 * through the router's own procedures, so validation, middleware and errors are tRPC's. What it
 * leaves out is the adapter's Fetch `Request`, `AbortSignal` and web-stream machinery per request:
 * a quarter of the server's CPU per message at 800 sends a second (bench/README.md, decision
 * 009), and the encoding of a 77 KB chat list through a web stream.
 */
export async function serveProcedureBatch(
  req: IncomingMessage,
  res: ServerResponse,
  pathParam: string,
  search: URLSearchParams,
  options: ProcedureBatchOptions,
): Promise<void> {
  // Only what `isProcedureBatch` accepted reaches here: a GET of queries or a POST of mutations.
  const type = batchTypeOf(req) ?? "mutation";
  const isBatch = search.get("batch") === "1";
  const paths = isBatch ? pathParam.split(",") : [pathParam];
  const ctx = options.createContext();
  // A query's input is in its URL, where tRPC reads an empty one as none.
  const body = type === "query" ? Promise.resolve(search.get("input") || null) : readBody(req, options.maxBodyBytes);
  let inputs: Promise<Record<number, unknown>> | undefined;
  // As tRPC does: the input is parsed on the first procedure's demand, and one that cannot be
  // parsed fails each call with PARSE_ERROR (from the procedure's own input step).
  const readInputs = () =>
    (inputs ??= body
      .then((text) => (text === null ? {} : parseInputs(text, paths.length, isBatch)))
      .catch((cause: unknown) => {
        if (cause instanceof TRPCError) throw cause;
        throw new TRPCError({
          code: "BAD_REQUEST",
          message: cause instanceof Error ? cause.message : "Invalid input",
          cause,
        });
      }));

  const errors: TRPCError[] = [];
  const answers = await Promise.all(
    paths.map(async (path, index): Promise<TRPCResponse> => {
      try {
        const data = await callTRPCProcedure({
          router: options.router,
          path,
          type,
          ctx,
          getRawInput: async () => (await readInputs())[index],
          signal: undefined,
          batchIndex: index,
        });
        return { result: { data } };
      } catch (cause) {
        const error = getTRPCErrorFromUnknown(cause);
        errors.push(error);
        options.onError({ error, path, type });
        const input = await inputs?.then(
          (all) => all[index],
          () => undefined,
        );
        return {
          error: getErrorShape({ config: options.router._def._config, error, type, path, input, ctx }),
        };
      }
    }),
  );
  // Drain what was not read (a call that failed before reading its input), so the socket stays usable.
  await body.catch(() => undefined);

  const status = getHTTPStatusCode(answers);
  const json = isBatch ? `[${answers.map(serialize).join(",")}]` : serialize(answers[0]!);
  const headers: Record<string, string | number | string[]> = {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(json),
    vary: "trpc-accept, accept",
  };
  const cookies: string[] = [];
  for (const [name, value] of options.answerHeaders({ ctx, errors })) {
    // Each cookie is a header of its own, as tRPC's adapter writes them.
    if (name === "set-cookie") cookies.push(value);
    else headers[name] = value;
  }
  if (cookies.length > 0) headers["set-cookie"] = cookies;
  res.writeHead(status, headers);
  res.end(json);
}

/** One answer as tRPC writes it: the error shape or the data, through the transformer. */
function serialize(answer: TRPCResponse): string {
  return "error" in answer
    ? `{"error":${wireJson(answer.error)}}`
    : `{"result":{"data":${wireJson(answer.result.data)}}}`;
}

/** The parsed body is ours alone: `readWireInput` may change it in place. */
function parseInputs(text: string, count: number, isBatch: boolean): Record<number, unknown> {
  const inputs: Record<number, unknown> = {};
  const parsed: unknown = JSON.parse(text);
  if (!isBatch) {
    inputs[0] = readWireInput(parsed);
    return inputs;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new TRPCError({ code: "BAD_REQUEST", message: '"input" needs to be an object when doing a batch call' });
  }
  for (let index = 0; index < count; index += 1) {
    const raw = (parsed as Record<number, unknown>)[index];
    if (raw !== undefined) inputs[index] = readWireInput(raw);
  }
  return inputs;
}

/**
 * The whole body as text, refused past `maxBytes` as tRPC's adapter refuses it. In production
 * the server's body limit has already refused any declared length over it, with a clearer message.
 */
function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      // Past the cap the rest is read and dropped, so the answer can still be written.
      if (size > maxBytes) {
        chunks.length = 0;
        reject(new TRPCError({ code: "PAYLOAD_TOO_LARGE" }));
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(chunks.length === 1 ? chunks[0]!.toString() : Buffer.concat(chunks).toString()));
    req.on("error", reject);
  });
}
