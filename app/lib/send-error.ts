/** Server answers that mean "not now", not "no": the same request can succeed later. */
const TRANSIENT_CODES = new Set(["SERVICE_UNAVAILABLE", "TIMEOUT"]);

/**
 * Whether a failed request never got a real answer (offline, connection refused or reset, timed
 * out) or got a temporary one, so it should wait and go again. A tRPC error that carries `data`
 * is the server's answer about this request (bad input, too fast, the room is gone): repeating it
 * would not help.
 */
export function isTransientError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  // Errors of our own making (an image upload) say so themselves.
  const own = (error as { transient?: unknown }).transient;
  if (typeof own === "boolean") return own;
  const data = (error as { data?: unknown }).data;
  if (typeof data === "object" && data !== null && "code" in data) {
    return TRANSIENT_CODES.has(String((data as { code: unknown }).code));
  }
  // fetch rejects with a TypeError when the network fails; tRPC wraps that in its own error,
  // and an aborted (timed-out) request in an AbortError.
  return error.name === "TRPCClientError" || error.name === "AbortError" || error instanceof TypeError;
}
