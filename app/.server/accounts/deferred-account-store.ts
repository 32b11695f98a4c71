import type { AccountStore } from "./types";

type Method = Exclude<keyof AccountStore, "kind" | "close">;

/**
 * The account store the services hold from the start, while the real one is being made: making
 * a PostgreSQL store migrates first (async), and the services are built synchronously, on first
 * use, by every path (servers, the dev server's routes, tests). Every call waits for the store;
 * a failed start (database unreachable) is tried again by the next call rather than kept.
 * Startup awaits `ready()`, so a bad DATABASE_URL shows when the process starts.
 */
export class DeferredAccountStore implements AccountStore {
  private store: Promise<AccountStore> | undefined;
  private closed = false;

  constructor(
    readonly kind: AccountStore["kind"],
    private readonly create: () => Promise<AccountStore>,
  ) {}

  ready(): Promise<AccountStore> {
    if (this.closed) return Promise.reject(new Error("The account store is closed"));
    this.store ??= this.create().catch((error: unknown) => {
      this.store = undefined;
      throw error;
    });
    return this.store;
  }

  private call<M extends Method>(method: M, ...args: Parameters<AccountStore[M]>): ReturnType<AccountStore[M]> {
    type Call = (...a: Parameters<AccountStore[M]>) => unknown;
    return this.ready().then((store) => (store[method] as Call).apply(store, args)) as ReturnType<AccountStore[M]>;
  }

  createAccount: AccountStore["createAccount"] = (...args) => this.call("createAccount", ...args);
  findByUsername: AccountStore["findByUsername"] = (...args) => this.call("findByUsername", ...args);
  getAccount: AccountStore["getAccount"] = (...args) => this.call("getAccount", ...args);
  usernamesOf: AccountStore["usernamesOf"] = (...args) => this.call("usernamesOf", ...args);
  searchUsernames: AccountStore["searchUsernames"] = (...args) => this.call("searchUsernames", ...args);
  changeCredentials: AccountStore["changeCredentials"] = (...args) => this.call("changeCredentials", ...args);
  deleteAccount: AccountStore["deleteAccount"] = (...args) => this.call("deleteAccount", ...args);
  createSession: AccountStore["createSession"] = (...args) => this.call("createSession", ...args);
  findSession: AccountStore["findSession"] = (...args) => this.call("findSession", ...args);
  touchSession: AccountStore["touchSession"] = (...args) => this.call("touchSession", ...args);
  listSessions: AccountStore["listSessions"] = (...args) => this.call("listSessions", ...args);
  revokeSession: AccountStore["revokeSession"] = (...args) => this.call("revokeSession", ...args);
  revokeOtherSessions: AccountStore["revokeOtherSessions"] = (...args) => this.call("revokeOtherSessions", ...args);
  deleteExpiredSessions: AccountStore["deleteExpiredSessions"] = (...args) =>
    this.call("deleteExpiredSessions", ...args);
  block: AccountStore["block"] = (...args) => this.call("block", ...args);
  unblock: AccountStore["unblock"] = (...args) => this.call("unblock", ...args);
  isBlocked: AccountStore["isBlocked"] = (...args) => this.call("isBlocked", ...args);
  listBlocked: AccountStore["listBlocked"] = (...args) => this.call("listBlocked", ...args);
  ping: AccountStore["ping"] = () => this.call("ping");

  async close(): Promise<void> {
    this.closed = true;
    const store = await this.store?.catch(() => null);
    await store?.close();
  }
}
