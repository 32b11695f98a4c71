import { deriveAccountKeys, newKdfParams } from "~/lib/crypto/account-kdf";
import { fromBase64Url } from "~/lib/crypto/base64url";
import { createIdentity } from "~/lib/crypto/identity-keys";
import type { IdentitySeal } from "./identity-seal";
import { hashAuthKey } from "./passwords";
import type { AccountStore } from "./types";

export const DEMO_USERNAMES = ["alice", "bob"] as const;
/** Published (README, .env.example): demo accounts live only in memory (env.ts refuses a database). */
export const DEMO_PASSWORD = "correct horse battery staple";

/**
 * Makes alice and bob exactly as a browser signing up would: the password stretched at the
 * default count, identity key pairs made and wrapped, the auth key hashed with argon2id. Node's
 * WebCrypto runs the browser's own code. Names already taken are left as they are.
 */
export async function createDemoAccounts(
  accounts: AccountStore,
  seal: IdentitySeal,
  { iterations }: { iterations?: number } = {},
): Promise<string[]> {
  const created: string[] = [];
  for (const username of DEMO_USERNAMES) {
    const kdf = newKdfParams(iterations);
    const keys = await deriveAccountKeys(DEMO_PASSWORD, kdf, { minimumIterations: kdf.iterations });
    const { wrapped } = await createIdentity(keys.wrappingKey, username);
    const outcome = await accounts.createAccount(
      {
        username,
        kdf: { algorithm: kdf.algorithm, iterations: kdf.iterations },
        salt: fromBase64Url(kdf.salt),
        verifier: await hashAuthKey(fromBase64Url(keys.authKey)),
        publicKeys: wrapped.keyPairs.map(({ algorithm, publicKey }) => ({ algorithm, publicKey })),
        sealedIdentity: seal.seal(wrapped, username),
      },
      new Date(),
    );
    if (outcome.status === "created") created.push(username);
  }
  return created;
}
