import type { Services } from "~/.server/services";
import { createContext } from "~/.server/trpc/context";
import { createCaller } from "~/.server/trpc/root";
import { CHROME_UA } from "./app";

export { fakeAuthKey, fakeIdentity, fakeKdf, fakeSignUp, FIREFOX_WINDOWS_UA } from "./account-inputs";

/**
 * One browser calling the procedures server-side: it keeps the session cookie the answers set
 * (and drops it when they clear it), and sends it with every later call, as a browser would.
 */
export class TestBrowser {
  cookie: string | null = null;
  /** Every Set-Cookie the last call answered with. */
  lastSetCookies: readonly string[] = [];

  constructor(
    private readonly services: Services,
    readonly options: { userAgent?: string; address?: string } = {},
  ) {}

  async call<T>(run: (caller: ReturnType<typeof createCaller>) => Promise<T>): Promise<T> {
    const headers = new Headers({ "user-agent": this.options.userAgent ?? CHROME_UA });
    if (this.cookie) headers.set("cookie", this.cookie);
    const ctx = createContext(headers, this.services, this.options.address ?? "203.0.113.20");
    try {
      return await run(createCaller(ctx));
    } finally {
      this.lastSetCookies = [...ctx.responseCookies.pending];
      for (const setCookie of this.lastSetCookies) {
        const pair = setCookie.split(";")[0] ?? "";
        this.cookie = /;\s*Max-Age=0\b/i.test(setCookie) ? null : pair;
      }
    }
  }
}
