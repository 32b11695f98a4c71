/**
 * The `Set-Cookie` headers procedures ask for (sign-in sets a session cookie, sign-out clears
 * it), collected per request and written by whichever transport answers it: tRPC's adapter
 * (through `responseMeta`) or the procedure batches. Once the response's head is decided, a
 * cookie can no longer go out with it; asking then is a programming error and throws, rather
 * than a sign-in that silently leaves the browser signed out. That is the case on the event
 * stream and in streamed (JSONL) batches, whose head goes out before any procedure has run.
 */
export class ResponseCookies {
  private readonly cookies: string[] = [];
  private closedBecause: string | null = null;

  constructor(closedBecause?: string) {
    this.closedBecause = closedBecause ?? null;
  }

  /** Adds a serialised cookie (`name=value; HttpOnly; …`) to the response. */
  set(serialized: string): void {
    if (this.closedBecause !== null) throw new Error(`A cookie cannot be set here: ${this.closedBecause}`);
    // A line break would start another header: never from a serialiser, always a bug.
    if (/[\r\n]/.test(serialized)) throw new Error("A cookie must be one line");
    this.cookies.push(serialized);
  }

  /** What is set so far, for tests and server-side callers; the response is not closed by it. */
  get pending(): readonly string[] {
    return this.cookies;
  }

  /** The cookies for the response's head; any set after this throws. */
  takeForHead(because = "the response's headers were already written"): readonly string[] {
    this.closedBecause ??= because;
    return this.cookies;
  }
}
