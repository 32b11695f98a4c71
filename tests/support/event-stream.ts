/** What a refused subscription said, from its `serialized-error` event. */
export interface StreamRefusal {
  code: string;
  message: string;
  retryAfterSeconds?: number;
}

export type OpenedStream = { refused: null; close: () => void } | { refused: StreamRefusal; close: () => void };

interface ErrorShape {
  json: { message: string; data: { code: string; retryAfterSeconds?: number } };
}

/**
 * Opens a tRPC subscription over plain SSE, as a browser tab would, with any headers (a cookie,
 * an X-Forwarded-For), and reads up to its first event: data means the stream is open, a
 * `serialized-error` that it was refused. An open stream stays open until `close`.
 */
export async function openEventStream(
  origin: string,
  procedure: string,
  input: unknown,
  headers: Record<string, string>,
): Promise<OpenedStream> {
  const controller = new AbortController();
  const close = () => controller.abort();
  const query = encodeURIComponent(JSON.stringify({ json: input }));
  const response = await fetch(`${origin}/api/trpc/${procedure}?input=${query}`, {
    headers: { accept: "text/event-stream", ...headers },
    signal: controller.signal,
  });
  if (!response.ok || !response.body) throw new Error(`${procedure} answered ${response.status}`);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`${procedure} ended before its first event: ${text}`);
    text += value;
    const events = text.split("\n\n");
    text = events.pop() ?? "";
    for (const event of events) {
      const type = /^event: (.*)$/m.exec(event)?.[1] ?? "message";
      const data = /^data: (.*)$/m.exec(event)?.[1] ?? "";
      if (type === "message") return { refused: null, close };
      if (type === "serialized-error") {
        close();
        const { json } = JSON.parse(data) as ErrorShape;
        return {
          refused: { code: json.data.code, message: json.message, retryAfterSeconds: json.data.retryAfterSeconds },
          close,
        };
      }
    }
  }
}
