import { useMemo } from "react";
import { AccountClient } from "~/lib/account-client";
import { defaultKeyStorage, KeyKeeper } from "~/lib/crypto/key-keeper";
import { trpc } from "~/lib/trpc";

/** The account actions over this page's tRPC client, keys kept in this browser's IndexedDB. */
export function useAccountClient(): AccountClient {
  const utils = trpc.useUtils();
  return useMemo(() => new AccountClient(utils.client.account, new KeyKeeper(defaultKeyStorage())), [utils.client]);
}
