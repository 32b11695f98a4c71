import { describe, expect, it } from "vitest";
import { CHROME_UA, makeServices } from "../../../tests/support/app";
import { SESSION_COOKIE } from "../session-cookie";
import { createContext } from "./context";

const TOKEN = "c2Vzc2lvbi10b2tlbi1zZXNzaW9uLXRva2VuLXNlc3Np";

describe("the tRPC context's session and cookie facts", () => {
  const services = makeServices("memory");
  const behindProxy = makeServices("memory", { TRUST_PROXY: "1" });

  it("reads the session token under the plain name outside production", () => {
    const ctx = createContext(
      new Headers({ host: "ephemera.example", cookie: `${SESSION_COOKIE.plain}=${TOKEN}` }),
      services,
    );
    expect(ctx.secureCookies()).toBe(false);
    expect(ctx.sessionToken()).toBe(TOKEN);
  });

  it("in production reads only the __Host- name, except on a loopback host", () => {
    const cookie = `${SESSION_COOKIE.plain}=planted-over-http-0000; ${SESSION_COOKIE.secure}=${TOKEN}`;
    const secure = createContext(new Headers({ host: "ephemera.example", cookie }), services, undefined, {
      production: true,
    });
    expect(secure.secureCookies()).toBe(true);
    expect(secure.sessionToken()).toBe(TOKEN);
    const loopback = createContext(new Headers({ host: "127.0.0.1:3000", cookie }), services, undefined, {
      production: true,
    });
    expect(loopback.secureCookies()).toBe(false);
    expect(loopback.sessionToken()).toBe("planted-over-http-0000");
  });

  it("behind a trusted proxy, decides by the host the browser addressed", () => {
    const headers = new Headers({ host: "127.0.0.1:8080", "x-forwarded-host": "ephemera.example" });
    expect(createContext(headers, behindProxy, undefined, { production: true }).secureCookies()).toBe(true);
    expect(createContext(headers, services, undefined, { production: true }).secureCookies()).toBe(false);
  });

  it("has no session without the cookie, and passes the User-Agent on for summarising", () => {
    const ctx = createContext(new Headers({ "user-agent": CHROME_UA }), services);
    expect(ctx.sessionToken()).toBeNull();
    expect(ctx.userAgent).toBe(CHROME_UA);
  });
});
