import { describe, expect, it } from "vitest";
import { AccountClient, type AccountApi } from "./account-client";
import { isSignedOutError, problemOf } from "./account-errors";
import type { KdfParams } from "./crypto/account-kdf";
import type { WrappedIdentity } from "./crypto/identity-keys";
import { KeyKeeper, memoryKeyStorage } from "./crypto/key-keeper";

const FAST = 1_000;

class RefusedError extends Error {
  name = "TRPCClientError";
  constructor(
    message: string,
    readonly data: { code: string },
  ) {
    super(message);
  }
}

/**
 * The server's side of the contract, kept to what it can know: it stores what it is sent and
 * compares auth keys. Every input is recorded, to look for the password in.
 */
function fakeServer() {
  const accounts = new Map<string, { kdf: KdfParams; authKey: string; identity: WrappedIdentity }>();
  let signedIn: string | null = null;
  const sent: unknown[] = [];
  const record = <T>(input: T) => (sent.push(structuredClone(input)), input);
  const wrong = () => new RefusedError("Wrong username or password", { code: "UNAUTHORIZED" });
  const api: AccountApi = {
    salt: {
      query: async (input) => ({ kdf: accounts.get(record(input).username.toLowerCase())?.kdf ?? unknownKdf }),
    },
    signUp: {
      mutate: async (input) => {
        const username = record(input).username.toLowerCase();
        accounts.set(username, { kdf: input.kdf, authKey: input.authKey, identity: input.identity });
        signedIn = username;
        return { username };
      },
    },
    signIn: {
      mutate: async (input) => {
        const username = record(input).username.toLowerCase();
        const account = accounts.get(username);
        if (!account || account.authKey !== input.authKey) throw wrong();
        signedIn = username;
        return { username, kdf: account.kdf, identity: account.identity };
      },
    },
    signOut: { mutate: async () => ((signedIn = null), { ok: true }) },
    identity: {
      mutate: async (input) => {
        const account = signedIn ? accounts.get(signedIn) : undefined;
        if (!account) throw new RefusedError("Sign in first", { code: "UNAUTHORIZED" });
        if (account.authKey !== record(input).currentAuthKey) {
          throw new RefusedError("currentPassword: wrong password", { code: "UNAUTHORIZED" });
        }
        return { identity: account.identity };
      },
    },
    changePassword: {
      mutate: async (input) => {
        const account = signedIn ? accounts.get(signedIn) : undefined;
        if (!signedIn || !account) throw wrong();
        if (account.authKey !== record(input).currentAuthKey) {
          throw new RefusedError("currentPassword: wrong password", { code: "UNAUTHORIZED" });
        }
        accounts.set(signedIn, { kdf: input.kdf, authKey: input.authKey, identity: input.identity });
        return { otherSessionsSignedOut: 0 };
      },
    },
    delete: {
      mutate: async (input) => {
        if (signedIn) accounts.delete(record(input) && signedIn);
        return { ok: true };
      },
    },
  };
  return { api, sent };
}

const unknownKdf: KdfParams = { algorithm: "PBKDF2-SHA-256", iterations: FAST, salt: "AAAAAAAAAAAAAAAAAAAAAA" };

function browser(api: AccountApi) {
  const keeper = new KeyKeeper(memoryKeyStorage());
  const client = new AccountClient(api, keeper, { iterations: FAST, minimumIterations: FAST });
  return { client, keeper };
}

describe("AccountClient", () => {
  it("signs up and in elsewhere with the same keys, and sends no form of the password", async () => {
    const server = fakeServer();
    const first = browser(server.api);
    await first.client.signUp("Alice", "plum-kettle-one");
    const made = await first.keeper.keysFor("alice");
    expect(made?.signing.publicKeys).toMatch(/p256\./);

    const second = browser(server.api);
    await expect(second.client.signIn("alice", "plum-kettle-two")).rejects.toThrow("Wrong username or password");
    expect(await second.keeper.keysFor("alice")).toBeNull();
    await second.client.signIn("alice", "plum-kettle-one");
    expect((await second.keeper.keysFor("alice"))?.signing.publicKeys).toBe(made?.signing.publicKeys);

    const everything = JSON.stringify(server.sent);
    expect(everything).toContain("authKey");
    for (const form of ["plum-kettle-one", Buffer.from("plum-kettle-one").toString("base64url")]) {
      expect(everything).not.toContain(form);
    }
  });

  it("changes the password without changing the keys, fetching them with the current password", async () => {
    const server = fakeServer();
    const { client, keeper } = browser(server.api);
    await client.signUp("bob", "plum-kettle-one");
    const publicKeys = (await keeper.keysFor("bob"))?.agreement.publicKeys;

    const refused = await client.changePassword("bob", "plum-kettle-nope", "plum-kettle-two").catch((error) => error);
    expect(problemOf(refused, { currentAuthKey: "currentPassword" })).toEqual({
      field: "currentPassword",
      message: "Wrong password.",
    });
    await client.changePassword("bob", "plum-kettle-one", "plum-kettle-two");
    await client.changePassword("bob", "plum-kettle-two", "plum-kettle-three");

    const elsewhere = browser(server.api);
    await expect(elsewhere.client.signIn("bob", "plum-kettle-two")).rejects.toThrow("Wrong username or password");
    await elsewhere.client.signIn("bob", "plum-kettle-three");
    expect((await elsewhere.keeper.keysFor("bob"))?.agreement.publicKeys).toBe(publicKeys);
  });

  it("lets go of the keys on sign-out and deletion", async () => {
    const server = fakeServer();
    const { client, keeper } = browser(server.api);
    await client.signUp("carol", "plum-kettle-one");
    await client.signOut();
    expect(await keeper.keysFor("carol")).toBeNull();
    await client.signIn("carol", "plum-kettle-one");
    await client.deleteAccount("carol");
    expect(await keeper.keysFor("carol")).toBeNull();
    await expect(client.signIn("carol", "plum-kettle-one")).rejects.toThrow("Wrong username or password");
  });
});

describe("problemOf", () => {
  it("turns a rate limit into the wait, rounded up", () => {
    const error = Object.assign(new Error("Too many requests"), {
      data: { code: "TOO_MANY_REQUESTS", retryAfterSeconds: 41.2 },
    });
    expect(problemOf(error)).toEqual({ field: null, message: "Too many attempts, try again in 42 s." });
  });

  it("places a message that names a field beside it, and one that does not above the form", () => {
    const taken = Object.assign(new Error("username: that name is taken"), { data: { code: "CONFLICT" } });
    expect(problemOf(taken)).toEqual({ field: "username", message: "That name is taken." });
    const wrong = Object.assign(new Error("Wrong username or password"), { data: { code: "UNAUTHORIZED" } });
    expect(problemOf(wrong)).toEqual({ field: null, message: "Wrong username or password." });
  });

  it("says the server could not be reached when no answer came", () => {
    expect(problemOf(new TypeError("Failed to fetch")).message).toMatch(/could not be reached/);
  });
});

describe("isSignedOutError", () => {
  it("is an UNAUTHORIZED answer that names no field", () => {
    const unauthorized = (message: string) => Object.assign(new Error(message), { data: { code: "UNAUTHORIZED" } });
    expect(isSignedOutError(unauthorized("Sign in first"))).toBe(true);
    expect(isSignedOutError(unauthorized("currentPassword: wrong password"))).toBe(false);
    expect(isSignedOutError(Object.assign(new Error("Sign in first"), { data: { code: "FORBIDDEN" } }))).toBe(false);
    expect(isSignedOutError(new TypeError("Failed to fetch"))).toBe(false);
  });
});
